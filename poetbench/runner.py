"""``poetbench run``: checkpoints x eval set -> samples -> scores -> summary, resumable.

Stages, each also a command of its own: ``generate`` (samples), ``score-run`` (scores and
summaries from the samples on disk, e.g. after a metric upgrade). The run directory:

    RUN/run.json              command, checkpoint identities, eval set and hash, generation
                              settings and seeds, versions, git commit, device, signature, timings
    RUN/LABEL/samples.jsonl   appended and flushed as samples finish
    RUN/LABEL/scores.jsonl    one score record per sample
    RUN/LABEL/summary.json    every metric's mean with its 95% bootstrap CI and n

Every sample has a key: a hash of the checkpoint's identity (its weights, not its path), the
prompt, the generation settings, the seed and the sample index. A rerun generates only the keys
not on disk, so a killed run resumes where it stopped, and new weights at the same path are
generated anew.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from poetbench import __version__, evalsets
from poetbench.checkpoints import RESERVED_LABELS, Checkpoint, identity, parse_spec
from poetbench.compare import KEY_METRICS, fmt
from poetbench.console import bar
from poetbench.diversity import diversity
from poetbench.jsonl import InputError, atomic_writer, dump_lines
from poetbench.metrics.adherence import Prompt
from poetbench.scoring import SCORE_KEYS, Scorer
from poetbench.stats import mean_ci
from poetbench.text.batch import TextBatch
from poetbench.text.extract import WARNINGS, extract_poem
from poetbench.versions import package_versions

BACKENDS = ("hf", "openai", "file")
GEN_DEFAULTS = {"temperature": 0.0, "top_p": 1.0, "max_new_tokens": 128, "repetition_penalty": 1.0}
SUMMARY_KEYS = [k for k in SCORE_KEYS if k not in ("form", "line_lengths", "tone_violations", "rhyme_group", "extract_warnings")]


@dataclass
class RunSettings:
    checkpoints: str
    eval_set: str
    output: str
    backend: str = "hf"
    batch_size: int = 8
    num_samples: int = 1
    seed: int = 0
    gen_kwargs: dict = field(default_factory=dict)
    limit: int | None = None
    device: str = "auto"
    base_url: str | None = None
    concurrency: int = 4
    timeout: float = 60.0
    max_retries: int = 4
    api_key_env: str | None = None  # the variable's name only: the key itself is never stored
    corpus: str | None = None
    reference: str | None = None
    load_in_4bit: bool = False

    def __post_init__(self):
        for name in ("batch_size", "num_samples", "concurrency") + (("limit",) if self.limit is not None else ()):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise InputError(f"--{name.replace('_', '-')} {value!r}: give a whole number of 1 or more")
        if isinstance(self.max_retries, bool) or not isinstance(self.max_retries, int) or self.max_retries < 0:
            raise InputError(f"--max-retries {self.max_retries!r}: give a whole number of 0 or more")
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)) or not 0 < self.timeout < 1e6:
            raise InputError(f"--timeout {self.timeout!r}: give a number of seconds above 0")


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean_output(output: str | None) -> dict:
    """``output`` and ``poem`` of a sample row. A lone surrogate (from an outputs file or a
    server's JSON) cannot be written as UTF-8: it becomes U+FFFD, and the row says so."""
    if output is None:
        return {"output": None, "poem": None}
    row = {}
    if _LONE_SURROGATE.search(output):
        output = _LONE_SURROGATE.sub("\ufffd", output)
        row["warning"] = "lone surrogates in the output were replaced by U+FFFD"
    return {"output": output, "poem": extract_poem(output).poem, **row}


def _sample_row(wanted: tuple[dict, int, str], output: dict) -> dict:
    """The samples.jsonl row of one generated sample."""
    prompt, index, key = wanted
    return {"key": key, "prompt_id": prompt["id"], "sample_index": index, "prompt": prompt["prompt"],
            **_clean_output(output["output"]), "seconds": round(output["seconds"], 4),
            "missing": output.get("missing", False)}


def label_folder(run_dir: Path, label: str) -> Path:
    """A label's folder, checked to lie directly inside the run directory (nothing is written
    outside ``-o``, whatever a label or a run.json says)."""
    folder = Path(run_dir) / label
    if folder.resolve().parent != Path(run_dir).resolve() or label in RESERVED_LABELS:
        raise InputError(f"{run_dir}: label {label!r} does not name a folder of its own inside the run directory; "
                         "rename it in --checkpoints")
    return folder


def parse_gen_kwargs(text: str | None) -> dict:
    """``temperature=0.7,top_p=0.9,max_new_tokens=128`` -> a dict over the defaults."""
    out = dict(GEN_DEFAULTS)
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        key, sep, value = item.partition("=")
        if not sep or key not in GEN_DEFAULTS:
            raise InputError(f"--gen-kwargs {item!r}: use key=value with keys {', '.join(GEN_DEFAULTS)}")
        try:
            out[key] = int(value) if key == "max_new_tokens" else float(value)
        except ValueError:
            raise InputError(f"--gen-kwargs {item!r}: {value!r} is not a number") from None
    return out


def sample_key(checkpoint_id: str, prompt: dict, gen_kwargs: dict, seed: int, index: int) -> str:
    text = json.dumps([checkpoint_id, prompt["id"], prompt["prompt"], sorted(gen_kwargs.items()), seed, index],
                      ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def read_samples(path: Path) -> dict[str, dict]:
    """Samples on disk by key. A torn last line (a killed run) is cut off; any other corrupt line
    is an error naming it, so a run is never silently half-counted."""
    if not path.exists():
        return {}
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):  # the process died while writing this line
        data = data[: data.rfind(b"\n") + 1]
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


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).resolve().parent)
        return done.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict:
    return package_versions(("poetbench", "torch", "transformers", "peft", "pypinyin", "opencc", "numpy"))


class Run:
    """One run directory: its settings, checkpoints, prompts and the stages over them."""

    def __init__(self, settings: RunSettings, command: list[str] | None = None):
        if settings.backend not in BACKENDS:
            raise InputError(f"--backend {settings.backend!r}: use one of {', '.join(BACKENDS)}")
        if settings.backend == "openai":
            from poetbench.generation.openai import api_key, check_base_url

            if not settings.base_url:
                raise InputError("--backend openai needs --base-url (e.g. http://127.0.0.1:8000/v1)")
            check_base_url(settings.base_url)
            api_key(settings.api_key_env)  # a variable named on purpose must be set, before anything is written
        if settings.load_in_4bit and _device(settings) != "cuda":
            raise InputError("--load-in-4bit needs a CUDA GPU (bitsandbytes); drop it to load the base in full precision")
        self.settings = settings
        self.gen_kwargs = parse_gen_kwargs(None) | settings.gen_kwargs
        self.checkpoints = parse_spec(settings.checkpoints, settings.backend)
        self.prompts = evalsets.load(settings.eval_set, settings.corpus)[: settings.limit or None]
        self.dir = Path(settings.output)
        self.command = command or sys.argv
        known: dict[str, str] = {}
        for checkpoint in self.checkpoints:
            checkpoint.identity = identity(checkpoint, known)

    # -- generate ---------------------------------------------------------------------------
    def wanted(self, checkpoint: Checkpoint) -> list[tuple[dict, int, str]]:
        """(prompt, sample index, key) of every sample this run needs from ``checkpoint``."""
        return [(p, k, sample_key(checkpoint.identity, p, self.gen_kwargs, self.settings.seed, k))
                for p in self.prompts for k in range(self.settings.num_samples)]

    def todo(self, checkpoint: Checkpoint) -> tuple[list[tuple[dict, int, str]], dict[str, dict]]:
        """The wanted samples not on disk yet, and those on disk by key."""
        done = read_samples(label_folder(self.dir, checkpoint.label) / "samples.jsonl")
        return [w for w in self.wanted(checkpoint) if w[2] not in done], done

    def generate(self, progress: bool | None = True) -> dict:
        """Generate every missing sample; returns {label: samples generated now}."""
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"{self.dir}: cannot create the run directory ({exc.strerror}); choose another -o") from None
        self.write_manifest(status="generating")
        backend = self._backend()
        generated, timings = {}, {}
        for checkpoint in self.checkpoints:
            todo, done = self.todo(checkpoint)
            folder = label_folder(self.dir, checkpoint.label)
            folder.mkdir(parents=True, exist_ok=True)
            bar = _progress(checkpoint.label, len(todo) + len(done), len(done), progress)
            started = time.perf_counter()
            try:
                self._generate_label(backend, checkpoint, todo, folder, bar)
            except OSError as exc:
                raise InputError(f"{folder / 'samples.jsonl'}: write failed ({exc.strerror}); check free space and "
                                 "permissions — the samples already written are kept, rerun to finish") from None
            if bar:
                bar.close()
            generated[checkpoint.label] = len(todo)
            timings[checkpoint.label] = round(time.perf_counter() - started, 2)
        self.write_manifest(status="generated", generated=generated, timings=timings)
        return generated

    def _generate_label(self, backend, checkpoint: Checkpoint, todo: list, folder: Path, bar) -> None:
        """Append the samples of ``todo`` to the label's samples.jsonl, each flushed to disk as
        soon as it is there: per batch, or per answer for a backend that streams (openai)."""
        with open(folder / "samples.jsonl", "ab") as stream:
            def save(rows: list[dict]) -> None:
                stream.write(dump_lines(rows))
                stream.flush()
                os.fsync(stream.fileno())
                if bar:
                    bar.update(len(rows))

            items = [(p, k) for p, k, _ in todo]
            if hasattr(backend, "stream"):
                for position, output in backend.stream(checkpoint, items, self.gen_kwargs, self.settings.seed):
                    save([_sample_row(todo[position], output)])
                return
            for start in range(0, len(todo), self.settings.batch_size):
                outputs = backend.generate(checkpoint, items[start:start + self.settings.batch_size], self.gen_kwargs,
                                           self.settings.seed)
                save([_sample_row(w, o) for w, o in zip(todo[start:], outputs)])

    def _backend(self):
        if self.settings.backend == "file":
            from poetbench.generation.file import FileBackend

            return FileBackend()
        if self.settings.backend == "openai":
            from poetbench.generation.openai import OpenAIBackend, api_key

            return OpenAIBackend(self.settings.base_url, concurrency=self.settings.concurrency,
                                 retries=self.settings.max_retries, timeout=self.settings.timeout,
                                 api_key=api_key(self.settings.api_key_env))
        from poetbench.generation.hf import HFBackend

        return HFBackend(self.checkpoints, self.settings.device, self.settings.batch_size, self.settings.load_in_4bit)

    @cached_property
    def scorer(self) -> Scorer:
        """The scorer of this run's settings (its signature goes into run.json and the summaries)."""
        return Scorer(reference=self.settings.reference)

    # -- run.json ----------------------------------------------------------------------------
    def write_manifest(self, **extra) -> None:
        path = self.dir / "run.json"
        previous = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        manifest = {
            **{k: v for k, v in previous.items() if k in ("generated", "status")},
            "command": self.command,
            "poetbench": __version__,
            "checkpoints": [asdict(c) for c in self.checkpoints],
            "eval_set": {"name": self.settings.eval_set, "sha256": evalsets.content_hash(self.prompts),
                         "n": len(self.prompts)},
            "generation": {"backend": self.settings.backend, "gen_kwargs": self.gen_kwargs, "seed": self.settings.seed,
                           "num_samples": self.settings.num_samples, "batch_size": self.settings.batch_size,
                           "device": _device(self.settings), "base_url": self.settings.base_url},
            "settings": asdict(self.settings),
            "signature": self.scorer.signature,
            "versions": _versions(),
            "git_commit": _git_commit(),
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "timings": previous.get("timings", {}),
        }
        if "timings" in extra:
            manifest["timings"] = {**manifest["timings"], **extra.pop("timings")}
        manifest.update(extra)
        with atomic_writer(str(path)) as out:
            out.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

    # -- score-run ---------------------------------------------------------------------------
    def score(self, progress: bool | None = None) -> dict[str, dict]:
        return score_run(self.dir, self, progress)


def _device(settings: RunSettings) -> str:
    if settings.backend != "hf":
        return settings.backend
    if settings.device != "auto":
        return settings.device
    try:
        import torch

        return "cuda" if torch.cuda.is_available() else "cpu"
    except ImportError:
        return "cpu"


def _progress(label: str, total: int, done: int, enabled: bool | None):
    """A bar for one label: ``enabled`` True, False, or None for "on a terminal"."""
    if enabled is False or total == done:
        return None
    return bar(f"generating {label}", total, done, unit=" samples", enabled=enabled)


def score_run(directory: Path, run: Run | None = None, progress: bool | None = None) -> dict[str, dict]:
    """Score the samples on disk of every label of a run; write scores.jsonl and summary.json."""
    directory = Path(directory)
    manifest_path = directory / "run.json"
    if not manifest_path.is_file():
        raise InputError(f"{directory}: no run.json here; is it a run directory written by `poetbench run`?")
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if run is None:
        settings = RunSettings(**{**manifest["settings"], "output": str(directory)})
        run = Run(settings, manifest["command"])
    scorer = run.scorer
    summaries = {}
    labels = bar("scoring", len(run.checkpoints), unit=" labels", enabled=progress)
    for checkpoint in run.checkpoints:
        labels.set_postfix_str(checkpoint.label)
        folder = label_folder(directory, checkpoint.label)
        done = read_samples(folder / "samples.jsonl")
        wanted = run.wanted(checkpoint)
        rows = [(p, done[key]) for p, k, key in wanted if key in done and not done[key].get("missing")]
        missing = [p["id"] for p, k, key in wanted if key not in done or done[key].get("missing")]
        records = scorer.score_many([s["output"] for _, s in rows], [Prompt.from_row(p) for p, _ in rows])
        with atomic_writer(str(folder / "scores.jsonl"), binary=True) as out:
            out.write(dump_lines({"prompt_id": s["prompt_id"], "sample_index": s["sample_index"], "key": s["key"],
                                  "scores": r} for (_, s), r in zip(rows, records)))
        metrics = {key: mean_ci([r[key] for r in records]) for key in SUMMARY_KEYS}
        poems = TextBatch([extract_poem(s["output"]).lines for _, s in rows], simplify=True).poems
        summary = {"label": checkpoint.label, "step": checkpoint.step, "checkpoint": checkpoint.identity,
                   "n": len(records), "missing": missing, "signature": scorer.signature,
                   "eval_set": manifest["eval_set"], "metrics": metrics,
                   "extract_warnings": warning_counts(records), "diversity": diversity(poems)}
        with atomic_writer(str(folder / "summary.json")) as out:
            out.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        summaries[checkpoint.label] = summary
        labels.update()
    labels.close()
    run.write_manifest(status="scored")
    return summaries


def warning_counts(records: list[dict]) -> dict[str, int]:
    """How many records carry each extraction warning (every warning listed, zeros too)."""
    counts = dict.fromkeys(WARNINGS, 0)
    for record in records:
        for warning in record["extract_warnings"]:
            counts[warning] += 1
    return counts


def table(summaries: dict[str, dict]) -> str:
    """A compact text table of the key metrics per label (mean [95% CI])."""
    header = ["label", "n"] + list(KEY_METRICS)
    rows = [header]
    for label, summary in summaries.items():
        cells = [label, str(summary["n"]) + (f" ({len(summary['missing'])} missing)" if summary["missing"] else "")]
        for key in KEY_METRICS:
            m = summary["metrics"][key]
            cells.append("—" if m["mean"] is None else f"{fmt(m['mean'], key)} [{fmt(m['low'], key)},{fmt(m['high'], key)}]")
        rows.append(cells)
    return aligned(rows)


def aligned(rows: list[list[str]]) -> str:
    """Rows of cells as plain text, each column padded to its widest cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)
