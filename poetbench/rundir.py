"""The run directory: the one module that knows its layout, reads it and writes it.

``poetbench run -o RUN`` writes::

    RUN/run.json              the manifest: schema_version, command, checkpoints with their
                              identities, eval set (name, sha256, n), generation settings and seed,
                              versions, git commit, device, metric signature, timings
    RUN/.lock                 the writers' lock (below); its text names the last writer
    RUN/prompts.jsonl         the eval set's rows the run was asked (its sha256 is run.json's), so
                              ``score-run`` and ``report`` need neither the eval set nor the corpus
    RUN/LABEL/samples.jsonl   one row per generated sample, appended and fsynced as it comes
    RUN/LABEL/scores.jsonl    one row per scored sample, written whole
    RUN/LABEL/summary.json    the label's summary of the scores.jsonl beside it

``generate`` and ``score-run`` write it; ``compare``, ``report``, ``gate``, ``baseline save``,
``audit --run`` and the reward gap read it, all through this module.

Rules:

* **One home.** Only this module names these files, parses them and decides whether they hold
  together; the rest of poetbench asks it (``load``, ``read_manifest``, ``read_samples``, …).
* **Version.** ``run.json`` carries ``schema_version`` (``RUN_VERSION``). A run.json without one
  (written before it existed) is read as the current version; any other version is refused.
* **One writer at a time.** A writer (``generate``, ``score-run``; ``poetbench run`` over both
  stages) holds an exclusive ``fcntl.flock`` on ``RUN/.lock``, taken without waiting: a second
  writer is refused at once (exit 2) and writes nothing. A reader holds a shared lock while it
  reads, so it never sees a directory half-way through a write; it is refused the same way while
  a writer works. Within one process the lock is re-entrant.
* **Samples** are appended and fsynced. A torn last line (a killed writer) is cut off by the next
  writer and skipped by readers; a corrupt line anywhere else is an error naming its line.
* **Scores, then summary.** ``score-run`` writes ``scores.jsonl`` whole (atomic rename), each row
  carrying ``prompt_id``, ``sample_index``, ``key``, the ``checkpoint`` identity it was generated
  by and the metric ``signature`` it was scored under; then ``summary.json``, which records the
  ``scores_sha256`` of the exact scores.jsonl it summarises (and ``n``, its row count).
* **A label's numbers are used only when its folder holds together** (``load``), else the read
  stops with the file, the line and the fix:

  - ``run.json``, ``summary.json`` and ``scores.jsonl`` exist and parse; a torn or corrupt line
    is named by its number;
  - every label's summary has the same signature, run.json's, and so does every score row;
  - the summary's and every score row's checkpoint is run.json's checkpoint for that label (a
    folder swapped with or copied from another label's is named, with the label it belongs to);
  - the summary's eval-set hash is run.json's;
  - no (prompt_id, sample_index) is scored twice (both lines are named);
  - scores.jsonl is the file summary.json summarised: same sha256 and row count. A summary
    written before the hash was recorded has its metrics computed again from scores.jsonl.

* Every failure a user can cause is an ``InputError`` (exit 2) that names the file (and line)
  and says what to do; nothing already written is lost.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import math
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from poetbench import versions
from poetbench.checkpoints import RESERVED_LABELS
from poetbench.jsonl import InputError, atomic_writer, dump_lines
from poetbench.metrics import registry
from poetbench.stats import mean_ci

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock
    fcntl = None

RUN_VERSION = 1
MANIFEST, SAMPLES, SCORES, SUMMARY, LOCK = "run.json", "samples.jsonl", "scores.jsonl", "summary.json", ".lock"
PROMPTS = "prompts.jsonl"


def label_folder(run_dir: Path, label: str) -> Path:
    """A label's folder, checked to lie directly inside the run directory (nothing is written
    outside ``-o``, whatever a label or a run.json says)."""
    folder = Path(run_dir) / label
    if folder.resolve().parent != Path(run_dir).resolve() or label in RESERVED_LABELS:
        raise InputError(f"{run_dir}: label {label!r} does not name a folder of its own inside the run directory; "
                         "rename it in --checkpoints")
    return folder


# -- the lock --------------------------------------------------------------------------------
_HELD: dict[str, list] = {}  # realpath of a run directory -> [fd, depth]: the locks this process holds


@contextlib.contextmanager
def writing(run_dir: Path, create: bool = False) -> Iterator[None]:
    """Hold the run directory's exclusive lock while the block runs (``create``: make the
    directory first). Another process that writes or reads it is refused meanwhile, and so is
    this one while another holds it: one clear error, nothing written."""
    run_dir = Path(run_dir)
    if create:
        try:
            run_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{run_dir}: cannot create the run directory ({exc.strerror}); choose another -o") from None
    with _locked(run_dir, exclusive=True):
        yield


@contextlib.contextmanager
def reading(run_dir: Path) -> Iterator[None]:
    """Hold the run directory's shared lock while the block runs: refused while a writer works."""
    with _locked(Path(run_dir), exclusive=False):
        yield


@contextlib.contextmanager
def _locked(run_dir: Path, exclusive: bool) -> Iterator[None]:
    key = os.path.realpath(run_dir)
    if key in _HELD:  # this process holds it already (``poetbench run``: generate inside run)
        _HELD[key][1] += 1
        try:
            yield
        finally:
            _HELD[key][1] -= 1
        return
    fd = _acquire(run_dir, exclusive)
    if fd is None:
        yield
        return
    _HELD[key] = [fd, 1]
    try:
        yield
    finally:
        del _HELD[key]
        os.close(fd)  # releases the lock


def _acquire(run_dir: Path, exclusive: bool) -> int | None:
    """The locked file descriptor of RUN/.lock, or None where no lock can be had (a reader of a
    directory no writer ever locked, or one it may not open; a file system without flock)."""
    if fcntl is None:
        return None
    path = run_dir / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT if exclusive else os.O_RDONLY, 0o666)
    except OSError as exc:
        if not exclusive:
            return None
        if isinstance(exc, FileNotFoundError):
            raise InputError(f"{run_dir}: no such run directory; give one written by `poetbench run`") from None
        raise InputError(f"{path}: cannot open the run directory's lock file ({exc.strerror}); check its "
                         "permissions") from None
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except OSError as exc:
        holder = _holder(fd)
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return None  # no flock on this file system: go on unlocked, as before locks existed
        if exclusive:
            raise InputError(f"{run_dir}: another poetbench process is using this run directory{holder}; nothing was "
                             "written. Wait for it to finish and run this again, or write to another -o") from None
        raise InputError(f"{run_dir}: another poetbench process is writing this run directory{holder}; wait for it "
                         "to finish, then run this again") from None
    if exclusive:
        note = json.dumps({"pid": os.getpid(), "command": ["poetbench", *sys.argv[1:]]}, ensure_ascii=False)
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, (note + "\n").encode("utf-8"), 0)
    return fd


def _holder(fd: int) -> str:
    """`` (pid N: poetbench run …)`` when the lock file names a live process, else ``""``."""
    try:
        note = json.loads(os.pread(fd, 65536, 0).decode("utf-8"))
        pid, command = int(note["pid"]), " ".join(map(str, note["command"]))
        if pid != os.getpid():
            os.kill(pid, 0)
    except PermissionError:  # alive, another user's
        pass
    except (OSError, ValueError, KeyError, TypeError):
        return ""
    return f" (pid {pid}: {command})"


# -- run.json --------------------------------------------------------------------------------
def _manifest_fix(run_dir: Path) -> str:
    return (f"delete {Path(run_dir) / MANIFEST} and rerun the `poetbench run` command that made the directory "
            "(the samples on disk are kept and reused)")


def read_manifest(run_dir: Path, missing_ok: bool = False) -> dict:
    """``run.json``, checked: JSON, a known schema version, checkpoints with labels that are
    folders of their own, an eval set with its hash. ``missing_ok``: ``{}`` when there is none."""
    run_dir = Path(run_dir)
    path = run_dir / MANIFEST
    if not path.is_file():
        if missing_ok and not path.exists():
            return {}
        raise InputError(f"{run_dir}: no run.json here; give a run directory written by `poetbench run`")
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 (byte {exc.start}); {_manifest_fix(run_dir)}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}, column {exc.colno}); "
                         f"{_manifest_fix(run_dir)}") from None
    except RecursionError:
        raise InputError(f"{path}: not a run manifest (JSON nested too deep); {_manifest_fix(run_dir)}") from None
    if not isinstance(manifest, dict):
        raise InputError(f"{path}: not a run manifest (a JSON {type(manifest).__name__}, not an object); "
                         f"{_manifest_fix(run_dir)}")
    version = manifest.get("schema_version", RUN_VERSION)
    if version != RUN_VERSION:
        raise InputError(f"{path}: schema_version {version!r}, but this poetbench reads run directories of version "
                         f"{RUN_VERSION} only; use the poetbench that wrote it, or run the checkpoints again into "
                         "another -o")
    checkpoints, eval_set = manifest.get("checkpoints"), manifest.get("eval_set")
    if not isinstance(checkpoints, list) or not checkpoints or not all(
            isinstance(c, dict) and isinstance(c.get("label"), str) and isinstance(c.get("identity", ""), str)
            for c in checkpoints):
        raise InputError(f"{path}: 'checkpoints' is missing or malformed (a list of objects with a label); "
                         f"{_manifest_fix(run_dir)}")
    if not isinstance(eval_set, dict) or not isinstance(eval_set.get("sha256"), str) \
            or not isinstance(eval_set.get("name"), str):
        raise InputError(f"{path}: 'eval_set' is missing or malformed (an object with a name and a sha256); "
                         f"{_manifest_fix(run_dir)}")
    labels = [c["label"] for c in checkpoints]
    for label in labels:
        if labels.count(label) > 1:
            raise InputError(f"{path}: label {label!r} is listed twice; {_manifest_fix(run_dir)}")
        label_folder(run_dir, label)
    return manifest


def write_manifest(run_dir: Path, manifest: dict) -> None:
    """Write ``run.json`` (atomically), stamped with the schema version."""
    manifest = {"schema_version": RUN_VERSION, **{k: v for k, v in manifest.items() if k != "schema_version"}}
    with atomic_writer(str(Path(run_dir) / MANIFEST)) as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


# -- prompts.jsonl ---------------------------------------------------------------------------
def write_prompts(run_dir: Path, prompts: list[dict]) -> None:
    """Keep the eval set's rows in the run directory (written whole, atomically)."""
    with atomic_writer(str(Path(run_dir) / PROMPTS), binary=True) as out:
        out.write(dump_lines(prompts))


def read_prompts(run_dir: Path, manifest: dict) -> list[dict]:
    """The eval set's rows the run was asked, checked against run.json's hash: from
    ``prompts.jsonl``, or for a run written before it was kept, the eval set loaded by name
    (which a set built from the corpus needs the corpus for)."""
    from poetbench import evalsets
    from poetbench.evalsets import content_hash

    path = Path(run_dir) / PROMPTS
    if not path.exists():
        settings = manifest.get("settings") or {}
        rows = evalsets.load(manifest["eval_set"]["name"], settings.get("corpus"), verify=False)
        rows = rows[: settings.get("limit") or None]
        if content_hash(rows) != manifest["eval_set"]["sha256"]:
            raise InputError(f"{Path(run_dir) / MANIFEST}: the eval set {manifest['eval_set']['name']!r} loaded now is "
                             "not the one the run was asked (sha256 differs), and the run keeps no prompts.jsonl; "
                             "give the corpus the run used, or run the checkpoints again into another -o")
        return rows
    try:
        rows = [json.loads(line) for line in path.read_bytes().decode("utf-8").split("\n") if line]
    except (OSError, ValueError, RecursionError) as exc:
        raise InputError(f"{path}: cannot be read back ({exc}); delete it, and `poetbench score-run` loads the eval set "
                         f"{manifest['eval_set']['name']!r} by name") from None
    if content_hash(rows) != manifest["eval_set"]["sha256"]:
        raise InputError(f"{path}: its rows are not the eval set run.json names (sha256 differs); it was edited or "
                         "copied from another run: delete it, and `poetbench score-run` loads the eval set "
                         f"{manifest['eval_set']['name']!r} by name")
    return rows


# -- samples.jsonl ---------------------------------------------------------------------------
def read_samples(path: Path, repair: bool = False) -> dict[str, dict]:
    """Samples on disk by key. A torn last line (a killed run) is skipped, and cut off the file
    with ``repair`` (a writer, under the lock); any other corrupt line is an error naming it, so
    a run is never silently half-counted."""
    path = Path(path)
    if not path.exists():
        return {}
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):  # the process died while writing this line
        data = data[: data.rfind(b"\n") + 1]
        if repair:
            with open(path, "r+b") as stream:
                stream.truncate(len(data))
    out = {}
    # Lines end at \n only: str.splitlines() would also break at a U+2028 inside an output.
    for number, line in enumerate(data.split(b"\n")[:-1], start=1):
        try:
            row = json.loads(line.decode("utf-8"))
            key = row["key"]
            if not isinstance(key, str) or not (isinstance(row["output"], str) or row.get("missing")):
                raise TypeError
        except (ValueError, KeyError, TypeError):  # UnicodeDecodeError is a ValueError
            raise InputError(f"{path}:{number}: corrupt sample line (not UTF-8 JSON with a key and a text "
                             "output); delete that line (it is generated again on the next run)") from None
        out[key] = row
    return out


def write_samples(folder: Path, rows: list[dict]) -> None:
    """Write a label's samples.jsonl whole (atomically): for writers that generate a label at
    once (the training callback); ``poetbench run`` appends (``appending_samples``)."""
    with atomic_writer(str(Path(folder) / SAMPLES), binary=True) as out:
        out.write(dump_lines(rows))


@contextlib.contextmanager
def appending_samples(folder: Path) -> Iterator[Callable[[list[dict]], None]]:
    """``save(rows)``: append sample rows to the label's samples.jsonl, each call flushed and
    fsynced before it returns (call it inside ``writing``)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / SAMPLES, "ab") as stream:
        def save(rows: list[dict]) -> None:
            stream.write(dump_lines(rows))
            stream.flush()
            os.fsync(stream.fileno())

        yield save


# -- scores.jsonl and summary.json -----------------------------------------------------------
def score_row(sample: dict, checkpoint: str, signature: str, record: dict) -> dict:
    """The scores.jsonl row of one scored sample."""
    return {"prompt_id": sample["prompt_id"], "sample_index": sample["sample_index"], "key": sample["key"],
            "checkpoint": checkpoint, "signature": signature, "scores": record}


def summarise_metrics(records: list[dict]) -> dict[str, dict]:
    """summary.json's ``metrics``: every numeric score's mean with its 95% bootstrap CI and n."""
    return {key: mean_ci([r.get(key) for r in records]) for key in registry.summary_keys()}


def write_scored(folder: Path, rows: list[dict], summary: dict) -> dict:
    """Write a label's scores.jsonl, then its summary.json recording the scores' sha256 and row
    count; returns the summary as written."""
    data = dump_lines(rows)
    with atomic_writer(str(folder / SCORES), binary=True) as out:
        out.write(data)
    summary = {**summary, "n": len(rows), "scores_sha256": hashlib.sha256(data).hexdigest()}
    with atomic_writer(str(folder / SUMMARY)) as out:
        out.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
    return summary


@dataclass
class Label:
    """One label of a scored run, checked: run.json's checkpoint, its summary, its score rows."""

    name: str
    folder: Path
    checkpoint: dict
    summary: dict
    rows: list[dict]


@dataclass
class ScoredRun:
    dir: Path
    manifest: dict
    labels: dict[str, Label]

    @property
    def summaries(self) -> dict[str, dict]:
        return {name: label.summary for name, label in self.labels.items()}


def load(run_dir: Path, labels: list[str] | None = None) -> ScoredRun:
    """A scored run (``labels``: only these), every label checked as the module's rules say;
    raises InputError naming the file, line and fix at the first thing that does not hold."""
    run_dir = Path(run_dir)
    with reading(run_dir):
        manifest = read_manifest(run_dir)
        versions.warn_drift(str(run_dir), manifest.get("versions"), fix=f"; {_rescore(run_dir)} with these")
        checkpoints = {c["label"]: c for c in manifest["checkpoints"]}
        for label in labels or ():
            if label not in checkpoints:
                raise InputError(f"{run_dir}: {label!r} is not a label of this run ({', '.join(checkpoints)})")
        names = list(labels or checkpoints)
        summaries = {name: _read_summary(run_dir, name) for name in names}
        signatures = {s["signature"] for s in summaries.values()}
        if len(signatures) > 1:
            raise InputError(f"{run_dir}: labels were scored with different metric signatures "
                             f"({', '.join(sorted(signatures))}); run `poetbench score-run {run_dir}` to score them "
                             "all alike")
        signature = manifest.get("signature") or next(iter(signatures))
        return ScoredRun(run_dir, manifest, {name: _read_label(run_dir, manifest, checkpoints[name], summaries[name],
                                                              signature) for name in names})


def _rescore(run_dir: Path) -> str:
    return f"run `poetbench score-run {run_dir}` to score the samples again"


def _read_summary(run_dir: Path, label: str) -> dict:
    folder = label_folder(run_dir, label)
    path = folder / SUMMARY
    if not path.is_file():
        raise InputError(f"{folder}: not scored yet (no summary.json); run `poetbench score-run {run_dir}`")
    try:
        summary = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: not valid JSON ({exc.msg}); {_rescore(run_dir)}") from None
    except (UnicodeDecodeError, RecursionError):
        raise InputError(f"{path}: not a summary (not UTF-8 JSON); {_rescore(run_dir)}") from None
    if not isinstance(summary, dict) or not isinstance(summary.get("signature"), str) \
            or not isinstance(summary.get("metrics"), dict) or not _count(summary.get("n")):
        raise InputError(f"{path}: not a label summary (needs signature, n and metrics); {_rescore(run_dir)}")
    return summary


def _count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _read_label(run_dir: Path, manifest: dict, checkpoint: dict, summary: dict, signature: str) -> Label:
    label, identity = checkpoint["label"], checkpoint.get("identity")
    folder = label_folder(run_dir, label)
    summary_path, scores_path = folder / SUMMARY, folder / SCORES
    if identity and summary.get("checkpoint") not in (None, identity):
        raise _swapped(run_dir, manifest, label, identity, summary["checkpoint"], summary_path)
    if summary["signature"] != signature:
        raise InputError(f"{summary_path}: scored under {summary['signature']}, but the run's signature is {signature} "
                         f"(run.json); {_rescore(run_dir)}")
    theirs, ours = summary.get("eval_set"), manifest["eval_set"]
    if isinstance(theirs, dict) and theirs.get("sha256") != ours["sha256"]:
        raise InputError(f"{summary_path}: scored on eval set {theirs.get('name')} {str(theirs.get('sha256'))[:12]}, but "
                         f"run.json's is {ours['name']} {ours['sha256'][:12]}; the folder comes from another run: put "
                         f"the right one back, or {_rescore(run_dir)}")
    rows, data = read_scores(scores_path, run_dir, identity=identity, signature=signature, manifest=manifest)
    recorded = summary.get("scores_sha256")
    if summary["n"] != len(rows) or (recorded is not None and recorded != hashlib.sha256(data).hexdigest()):
        what = (f"it holds {len(rows)} rows, summary.json counted {summary['n']}" if summary["n"] != len(rows)
                else "its rows differ from those summary.json summarised")
        raise InputError(f"{scores_path}: not the file {summary_path} summarises ({what}): it was changed after "
                         f"scoring, so the means and the paired statistics would disagree; {_rescore(run_dir)}")
    if recorded is None:  # a summary from before the hash: its means are computed again from the rows
        summary = {**summary, "metrics": {**summary["metrics"], **summarise_metrics([r["scores"] for r in rows])}}
    return Label(label, folder, checkpoint, summary, rows)


def _swapped(run_dir: Path, manifest: dict | None, label: str, expected: str, found, where: Path | str) -> InputError:
    """The error for a label folder whose scores are another checkpoint's than run.json's for it."""
    owner = next((c["label"] for c in (manifest or {}).get("checkpoints", []) if c.get("identity") == found), None)
    head = (f"{where}: scores of checkpoint {found}, but run.json's checkpoint for label {label!r} is {expected}")
    if owner:
        return InputError(f"{head} (run.json gives that checkpoint to label {owner!r}): the folder {Path(run_dir) / label} "
                          "holds another checkpoint's scores. Move the label folders back where they belong (folders "
                          "swapped or copied?)")
    return InputError(f"{head} (no label of run.json has that checkpoint): the folder {Path(run_dir) / label} holds "
                      "another checkpoint's scores; its checkpoint changed since it was scored, or the folder comes from "
                      f"another run: run `poetbench score-run {run_dir}` to score the label's own samples")


def read_scores(path: Path, run_dir: Path, identity: str | None = None, signature: str | None = None,
                manifest: dict | None = None) -> tuple[list[dict], bytes]:
    """(rows, the file's bytes) of a label's scores.jsonl: every line a score row, no sample
    twice, and (when given) each row's checkpoint ``identity`` and ``signature`` the run's."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: missing; run `poetbench score-run {run_dir}` to write it")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None
    rows, first = [], {}
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    for number, line in enumerate(lines, start=1):
        row = _score_line(path, number, line, run_dir)
        if identity and row.get("checkpoint") not in (None, identity):
            raise _swapped(run_dir, manifest, path.parent.name, identity, row["checkpoint"], f"{path}:{number}")
        if signature and row.get("signature") not in (None, signature):
            raise InputError(f"{path}:{number}: scored under {row['signature']}, but the run's signature is "
                             f"{signature} (run.json): the row was edited or copied from another run; "
                             f"{_rescore(run_dir)}")
        sample = (row["prompt_id"], row["sample_index"])
        if sample in first:
            raise InputError(f"{path}:{number}: prompt {sample[0]!r} sample {sample[1]} is scored twice (first at line "
                             f"{first[sample]}); a sample counts once: delete the extra line, or {_rescore(run_dir)}")
        first[sample] = number
        rows.append(row)
    return rows, data


def _score_line(path: Path, number: int, line: bytes, run_dir: Path) -> dict:
    """One checked score row."""
    try:
        row = json.loads(line.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        raise InputError(f"{path}:{number}: torn or corrupt line (not UTF-8 JSON); scores.jsonl is written whole, so "
                         f"it was cut or edited: {_rescore(run_dir)}") from None
    if not (isinstance(row, dict) and isinstance(row.get("prompt_id"), str) and _count(row.get("sample_index"))
            and isinstance(row.get("scores"), dict)):
        raise InputError(f"{path}:{number}: not a score row (needs prompt_id, sample_index and scores); "
                         f"{_rescore(run_dir)}")
    for key in registry.summary_keys():
        value = row["scores"].get(key)
        if value is not None and not (isinstance(value, (int, float)) and math.isfinite(value) and abs(value) < 1e12):
            raise InputError(f"{path}:{number}: {key} is {value!r}, not a finite number; {_rescore(run_dir)}")
    return row


def label_rows(run_dir: Path, label: str) -> list[dict]:
    """The checked score rows of one label: through ``load`` where the directory has a run.json;
    a folder of label folders without one (scores written by other tools) gets the checks of
    ``read_scores`` alone."""
    run_dir = Path(run_dir)
    if (run_dir / MANIFEST).exists():
        return load(run_dir, [label]).labels[label].rows
    with reading(run_dir):
        return read_scores(label_folder(run_dir, label) / SCORES, run_dir)[0]
