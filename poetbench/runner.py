"""``poetbench run``: checkpoints x eval set -> samples -> scores -> summary, resumable.

Stages, each also a command of its own: ``generate`` (samples), ``score-run`` (scores and
summaries from the samples on disk, e.g. after a metric upgrade). ``score-run`` reads only the
run directory: run.json, the prompts kept in it and the samples; it needs neither the
checkpoints nor the corpus (unless the run scores copying against a ``--reference``). The run
directory:

    RUN/run.json              command, checkpoint identities, eval set and hash, generation
                              settings and seeds, versions, git commit, device, signature, timings
    RUN/LABEL/samples.jsonl   appended and flushed as samples finish
    RUN/LABEL/scores.jsonl    one score record per sample
    RUN/LABEL/summary.json    every metric's mean with its 95% bootstrap CI and n

The directory's format, its lock (one writer at a time) and the checks a reader makes live in
``rundir``; this module decides what goes into it.

Every sample has a key: a hash of the checkpoint's identity (its weights, not its path), the
prompt, the generation settings, the seed and the sample index. A rerun generates only the keys
not on disk, so a killed run resumes where it stopped, and new weights at the same path are
generated anew.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path

from poetbench import __version__, evalsets, rundir, versions
from poetbench.checkpoints import Checkpoint, identity, parse_spec
from poetbench.compare import fmt
from poetbench.console import bar
from poetbench.generation import BACKENDS
from poetbench.diversity import diversity
from poetbench.jsonl import InputError
from poetbench.metrics import registry
from poetbench.metrics.adherence import Prompt
from poetbench.metrics.copying import ReferenceError
from poetbench.rundir import label_folder, read_samples
from poetbench.scoring import Scorer
from poetbench.text.extract import WARNINGS, extract_poem
from poetbench.versions import package_versions

GEN_DEFAULTS = {"temperature": 0.0, "top_p": 1.0, "max_new_tokens": 128, "repetition_penalty": 1.0}


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
            "missing": output.get("missing", False),
            **({"served_model": output["served_model"]} if "served_model" in output else {})}


def served_models(rows: dict[str, dict]) -> list[str]:
    """The model names a server answered as in these sample rows (openai backend), sorted."""
    return sorted({row["served_model"] for row in rows.values() if isinstance(row.get("served_model"), str)})


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


def wanted_samples(checkpoint_id: str, prompts: list[dict], gen_kwargs: dict, seed: int,
                   num_samples: int) -> list[tuple[dict, int, str]]:
    """(prompt, sample index, key) of every sample a run needs from one checkpoint."""
    return [(p, k, sample_key(checkpoint_id, p, gen_kwargs, seed, k)) for p in prompts for k in range(num_samples)]


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5,
                              cwd=Path(__file__).resolve().parent)
        return done.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _versions() -> dict:
    return package_versions(versions.SCORING + versions.GENERATION)


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
        return wanted_samples(checkpoint.identity, self.prompts, self.gen_kwargs, self.settings.seed,
                              self.settings.num_samples)

    def todo(self, checkpoint: Checkpoint) -> tuple[list[tuple[dict, int, str]], dict[str, dict]]:
        """The wanted samples not on disk yet, and those on disk by key."""
        done = read_samples(label_folder(self.dir, checkpoint.label) / "samples.jsonl", repair=True)
        return [w for w in self.wanted(checkpoint) if w[2] not in done], done

    def generate(self, progress: bool | None = True) -> dict:
        """Generate every missing sample; returns {label: samples generated now}. The run
        directory's lock is held throughout: a second writer is refused (``rundir.writing``)."""
        with rundir.writing(self.dir, create=True):
            return self._generate(progress)

    def _generate(self, progress: bool | None) -> dict:
        self.write_manifest(status="generating")
        rundir.write_prompts(self.dir, self.prompts)
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
        # The model names the server answered as (openai), per label, over every sample on disk.
        served = {c.label: names for c in self.checkpoints
                  if (names := served_models(read_samples(label_folder(self.dir, c.label) / "samples.jsonl")))}
        self.write_manifest(status="generated", generated=generated, timings=timings,
                            **({"served_model": served} if served else {}))
        return generated

    def _generate_label(self, backend, checkpoint: Checkpoint, todo: list, folder: Path, bar) -> None:
        """Append the samples of ``todo`` to the label's samples.jsonl, each flushed to disk as
        soon as it is there: per batch, or per answer for a backend that streams (openai)."""
        with rundir.appending_samples(folder) as append:
            def save(rows: list[dict]) -> None:
                append(rows)
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
        return importlib.import_module(BACKENDS[self.settings.backend]).from_settings(self.settings, self.checkpoints)

    @cached_property
    def scorer(self) -> Scorer:
        """The scorer of this run's settings (its signature goes into run.json and the summaries)."""
        return Scorer(reference=self.settings.reference)

    # -- run.json ----------------------------------------------------------------------------
    def write_manifest(self, **extra) -> None:
        previous = rundir.read_manifest(self.dir, missing_ok=True)
        manifest = {
            **{k: v for k, v in previous.items() if k in ("generated", "status", "served_model")},
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
        rundir.write_manifest(self.dir, manifest)

    # -- score-run ---------------------------------------------------------------------------
    def score(self, progress: bool | None = None) -> dict[str, dict]:
        return score_run(self.dir, progress)


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


def score_run(directory: Path, progress: bool | None = None) -> dict[str, dict]:
    """Score the samples on disk of every label of a run; write scores.jsonl and summary.json.
    Only the run directory is read (run.json, prompts.jsonl, the samples): not the checkpoints,
    not the eval set, not the corpus. The run directory's lock is held throughout: a second
    writer is refused (``rundir.writing``)."""
    directory = Path(directory)
    rundir.read_manifest(directory)  # a clear error before anything, where there is no run here
    with rundir.writing(directory):
        return _score_run(directory, progress)


def _score_run(directory: Path, progress: bool | None) -> dict[str, dict]:
    manifest = rundir.read_manifest(directory)
    settings, generation = manifest.get("settings") or {}, manifest.get("generation") or {}
    try:
        gen_kwargs, seed, num_samples = generation["gen_kwargs"], generation["seed"], generation["num_samples"]
    except KeyError as exc:
        raise InputError(f"{directory / rundir.MANIFEST}: 'generation' has no {exc}; "
                         f"{rundir._manifest_fix(directory)}") from None
    prompts = rundir.read_prompts(directory, manifest)
    try:
        scorer = Scorer(reference=settings.get("reference"))
    except ReferenceError as exc:  # the copy metrics' corpus (--reference) is part of the signature
        raise InputError(f"{directory / rundir.MANIFEST}: the run is scored against the reference corpus it names, "
                         f"and {exc}; put it back at that path") from None
    summaries = {}
    labels = bar("scoring", len(manifest["checkpoints"]), unit=" labels", enabled=progress)
    for checkpoint in manifest["checkpoints"]:
        labels.set_postfix_str(checkpoint["label"])
        folder = label_folder(directory, checkpoint["label"])
        done = read_samples(folder / rundir.SAMPLES, repair=True)
        wanted = wanted_samples(checkpoint["identity"], prompts, gen_kwargs, seed, num_samples)
        rows = [(p, done[key]) for p, k, key in wanted if key in done and not done[key].get("missing")]
        missing = [p["id"] for p, k, key in wanted if key not in done or done[key].get("missing")]
        scored = scorer.score_poems([s["output"] for _, s in rows], [Prompt.from_row(p) for p, _ in rows])
        summary = label_summary(checkpoint, manifest["eval_set"], scorer.signature, scored.records, scored.simplified,
                                missing)
        folder.mkdir(parents=True, exist_ok=True)
        summaries[checkpoint["label"]] = rundir.write_scored(
            folder, [rundir.score_row(s, checkpoint["identity"], scorer.signature, r)
                     for (_, s), r in zip(rows, scored.records)], summary)
        labels.update()
    labels.close()
    rundir.write_manifest(directory, {**manifest, "status": "scored", "signature": scorer.signature,
                                      "versions": {**(manifest.get("versions") or {}),
                                                   **package_versions(versions.SCORING)},
                                      "updated": time.strftime("%Y-%m-%dT%H:%M:%S")})
    return summaries


def label_summary(checkpoint: dict, eval_set: dict, signature: str, records: list[dict], poems: list[list[str]],
                  missing: list[str]) -> dict:
    """A label's summary.json (``rundir.write_scored`` adds ``n`` and the scores' sha256):
    ``poems`` are the Simplified lines the scorer read, for the diversity across them."""
    return {"label": checkpoint["label"], "step": checkpoint.get("step"), "checkpoint": checkpoint["identity"],
            "n": len(records), "missing": missing, "signature": signature, "eval_set": eval_set,
            "metrics": rundir.summarise_metrics(records), "extract_warnings": warning_counts(records),
            "diversity": diversity(poems)}


def warning_counts(records: list[dict]) -> dict[str, int]:
    """How many records carry each extraction warning (every warning listed, zeros too)."""
    counts = dict.fromkeys(WARNINGS, 0)
    for record in records:
        for warning in record["extract_warnings"]:
            counts[warning] += 1
    return counts


def table(summaries: dict[str, dict]) -> str:
    """A compact text table of the key metrics per label (mean [95% CI])."""
    keys = registry.shown_in("key")
    header = ["label", "n"] + list(keys)
    rows = [header]
    for label, summary in summaries.items():
        cells = [label, str(summary["n"]) + (f" ({len(summary['missing'])} missing)" if summary["missing"] else "")]
        for key in keys:
            m = summary["metrics"][key]
            cells.append("—" if m["mean"] is None else f"{fmt(m['mean'], key)} [{fmt(m['low'], key)},{fmt(m['high'], key)}]")
        rows.append(cells)
    return aligned(rows)


def aligned(rows: list[list[str]]) -> str:
    """Rows of cells as plain text, each column padded to its widest cell."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)
