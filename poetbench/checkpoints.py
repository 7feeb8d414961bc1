"""What ``--checkpoints`` names: labels, paths, and each checkpoint's identity.

SPEC is a comma-separated list of ``label=path-or-model-id``, or a training output directory
(it expands to ``base`` — the base model in its ``adapter_config.json`` or
``train_manifest.json`` — followed by every ``checkpoint-N`` in step order, labelled ``stepN``,
or ``grpoN`` for a GRPO training directory),
or a mix of both.

A checkpoint's *identity* is a hash of its weight and config files' contents, not of its path:
the cache of generated samples is keyed by it, so new weights at the same path are generated
anew, and the base model's outputs are never reused for an adapter.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from poetbench.jsonl import InputError

WEIGHT_FILES = ("*.safetensors", "*.bin", "*.json", "*.model")
_LABEL = re.compile(r"^[A-Za-z0-9_.-]+$")
# Names a label may not take: they are not folders (., ..) or are the run's own files and folders.
RESERVED_LABELS = {".", "..", "run.json", "report", "comparison.json", "summary.md"}


@dataclass
class Checkpoint:
    label: str
    path: str  # a local folder, a hub model id, or (file backend) an outputs file
    adapter: bool = False  # a PEFT adapter over ``base``
    base: str | None = None
    step: int | None = None
    identity: str = field(default="", repr=False)


def _base_of_adapter(folder: Path) -> str | None:
    config = folder / "adapter_config.json"
    if config.is_file():
        return json.loads(config.read_text(encoding="utf-8")).get("base_model_name_or_path")
    return None


def _training_manifest(folder: Path) -> dict:
    manifest = folder / "train_manifest.json"
    try:
        return json.loads(manifest.read_text(encoding="utf-8")) if manifest.is_file() else {}
    except (OSError, ValueError):
        return {}


def _base_of_training(folder: Path) -> str | None:
    manifest = _training_manifest(folder)
    if manifest:
        return manifest.get("base_model")
    for checkpoint in sorted(folder.glob("checkpoint-*")):
        base = _base_of_adapter(checkpoint)
        if base:
            return base
    return None


def parse_spec(spec: str, backend: str = "hf") -> list[Checkpoint]:
    """The checkpoints SPEC names, in order; raises InputError on any problem, before loading."""
    out: list[Checkpoint] = []
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        if "=" in item:
            label, _, path = item.partition("=")
            if not _LABEL.match(label):
                raise InputError(f"--checkpoints: label {label!r} may hold letters, digits, '.', '_' and '-' only")
            if label in RESERVED_LABELS or label.startswith("."):
                raise InputError(f"--checkpoints: label {label!r} is reserved (it names no folder, or one of the run's "
                                 f"own files); choose another, e.g. model")
            out.append(_one(label, path, backend))
        else:
            out.extend(_training_dir(Path(item), backend))
    if not out:
        raise InputError("--checkpoints: name at least one label=path or a training output directory")
    labels = [c.label for c in out]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    if duplicates:
        raise InputError(f"--checkpoints: label {duplicates[0]!r} is used twice")
    adapters = [c for c in out if c.adapter]
    bases = {c.base for c in adapters}
    if len(bases) > 1:
        raise InputError(f"--checkpoints: the adapters have different bases ({', '.join(sorted(map(str, bases)))}); "
                         "run them separately")
    for c in out:
        if not c.adapter and adapters and c.label == "base" and c.path != adapters[0].base \
                and Path(c.path).resolve() != Path(str(adapters[0].base)).resolve():
            raise InputError(f"--checkpoints: base={c.path} is not the base of the adapters ({adapters[0].base})")
    return out


def _one(label: str, path: str, backend: str) -> Checkpoint:
    if backend == "openai":
        return Checkpoint(label, path)
    folder = Path(path)
    if backend == "file":
        if not folder.is_file():
            raise InputError(f"--checkpoints: {label}={path}: no such outputs file")
        return Checkpoint(label, path)
    if folder.is_dir():
        base = _base_of_adapter(folder)
        if base:
            return Checkpoint(label, path, adapter=True, base=base, step=training_step(folder))
        if not (folder / "config.json").is_file():
            raise InputError(f"--checkpoints: {label}={path}: neither a model (config.json) nor an adapter "
                             "(adapter_config.json)")
        return Checkpoint(label, path)
    if path.startswith((".", "/")) or path.count("/") != 1:
        raise InputError(f"--checkpoints: {label}={path}: no such folder (and not a hub model id like Qwen/Qwen1.5-1.8B-Chat)")
    return Checkpoint(label, path)  # a hub model id


def step_of(folder: Path) -> int | None:
    """N of a ``checkpoint-N`` folder; None for any other name."""
    match = re.search(r"checkpoint-(\d+)$", folder.name)
    return int(match.group(1)) if match else None


def training_step(folder: Path) -> int | None:
    """The step a checkpoint stands at: N of ``checkpoint-N``, counted after the SFT steps it
    started from for a GRPO checkpoint (its training directory's manifest names that adapter),
    so that curves over SFT and GRPO checkpoints run in training order."""
    step = step_of(folder)
    manifest = _training_manifest(folder.parent)
    if step is not None and manifest.get("stage") == "grpo":
        step += step_of(Path(str(manifest.get("sft_adapter", "")))) or 0
    return step


def _training_dir(folder: Path, backend: str) -> list[Checkpoint]:
    if not folder.is_dir():
        raise InputError(f"--checkpoints: {folder}: no such training directory (or write label=path)")
    checkpoints = sorted(folder.glob("checkpoint-*"), key=lambda p: step_of(p) or 0)
    base = _base_of_training(folder)
    if not checkpoints or not base:
        raise InputError(f"--checkpoints: {folder}: no checkpoint-N folders with adapter_config.json here")
    out = [_one("base", base, backend)]
    prefix = "grpo" if _training_manifest(folder).get("stage") == "grpo" else "step"
    out.extend(_one(f"{prefix}{step_of(c)}", str(c), backend) for c in checkpoints)
    return out


def identity(checkpoint: Checkpoint, known: dict[str, str] | None = None) -> str:
    """sha256 of the checkpoint's weight and config files (for a hub id: the id itself).

    ``known``: identities already computed, by path, so that a base shared by many adapters is
    read once; it is filled in as a side effect.
    """
    known = {} if known is None else known
    if checkpoint.path in known:
        return known[checkpoint.path]
    folder = Path(checkpoint.path)
    digest = hashlib.sha256()
    if folder.is_file():
        digest.update(folder.read_bytes())
    elif folder.is_dir():
        files = sorted({p for pattern in WEIGHT_FILES for p in folder.glob(pattern)})
        for path in files:
            if path.name in ("trainer_state.json",):
                continue
            digest.update(path.name.encode())
            with open(path, "rb") as stream:
                for block in iter(lambda: stream.read(1 << 22), b""):
                    digest.update(block)
    else:
        digest.update(f"hub:{checkpoint.path}".encode())
    if checkpoint.adapter and checkpoint.base:
        digest.update(identity(Checkpoint("base", checkpoint.base), known).encode())
    known[checkpoint.path] = digest.hexdigest()[:16]
    return known[checkpoint.path]
