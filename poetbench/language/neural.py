"""``--lm hf:PATH_OR_ID``: bits per character under any causal language model (transformers).

An optional reference next to the n-gram model: a classical-poetry GPT-2 (such as
``uer/gpt2-chinese-poem``), Qwen itself, or any causal LM that ``AutoModelForCausalLM`` loads.

* **Text.** The poem's lines, punctuated as verse (``，`` inside a couplet, ``。`` at its end),
  after the tokenizer's BOS token (or its EOS token when it has no BOS, as Qwen), so that the
  first character is predicted too.
* **Score.** ``lm_bpc``: ``-Σ log2 p`` of every token of the text divided by its number of
  characters, so that models with different tokenizers are comparable; the perplexity per
  character is ``2 ** lm_bpc``. Lower is more fluent.
* **Batched** (``batch_size`` texts at a time, right-padded) and **cached** on disk under
  ``$POETBENCH_CACHE/lm/<fingerprint>.jsonl``, one line per text, so a second run of the same
  texts computes nothing.
* **Safe loading.** Weights load from safetensors only. A checkpoint that has only pickled
  weights (``.bin``, ``.pt``, ``.ckpt``) is refused with a clear error unless ``allow_pickle``
  (``--allow-pickle``): unpickling runs code from the file.
* **Signature.** ``name``: ``hf:<model name>@<fingerprint>``; the fingerprint hashes the config,
  and each weight file's name, size and first MiB (or the hub commit of a downloaded model).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from poetbench.cache import cache_dir
from poetbench.jsonl import InputError

PREFIX = "hf:"
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl")


def parse(spec: str) -> str:
    """The model path or hub id of an ``--lm`` value."""
    if not spec.startswith(PREFIX) or len(spec) == len(PREFIX):
        raise InputError(f"--lm {spec!r}: write hf:PATH_OR_ID, e.g. hf:uer/gpt2-chinese-poem or hf:./my-model")
    return spec[len(PREFIX):]


def check_weights(path: Path, allow_pickle: bool) -> None:
    """Refuse a local checkpoint whose weights are only pickles (unless ``allow_pickle``)."""
    if not (path / "config.json").is_file():
        raise InputError(f"{path}: no config.json here; give a transformers model directory (hf:PATH) or a hub id")
    files = [p.name for p in path.iterdir()]
    if any(name.endswith(".safetensors") for name in files):
        return
    pickles = sorted(name for name in files if name.endswith(PICKLE_SUFFIXES))
    if pickles and not allow_pickle:
        raise InputError(f"{path}: only pickled weights ({', '.join(pickles)}); loading a pickle runs code from the file. "
                         "Convert it to safetensors, or pass --allow-pickle if you trust it")
    if not pickles:
        raise InputError(f"{path}: no model weights here (no .safetensors file); give a transformers model directory")


def fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    for item in sorted(path.iterdir()):
        if item.name == "config.json":
            digest.update(item.read_bytes())
        elif item.suffix in (".safetensors",) + PICKLE_SUFFIXES:
            digest.update(f"{item.name}:{item.stat().st_size}".encode())
            with item.open("rb") as stream:
                digest.update(stream.read(1 << 20))
    return digest.hexdigest()[:12]


class NeuralLM:
    """A causal LM that scores poems in bits per character, with a disk cache of its scores."""

    def __init__(self, spec: str, allow_pickle: bool = False, batch_size: int = 16, device: str | None = None):
        try:
            import torch
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError as exc:
            raise InputError(f"--lm needs torch and transformers (pip install -e '.[train]'): {exc}") from None
        target = parse(spec)
        local = Path(target)
        if local.exists():
            check_weights(local, allow_pickle)
        kwargs = {"use_safetensors": None if allow_pickle else True}
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(target)
            self.model = AutoModelForCausalLM.from_pretrained(target, **kwargs)
        except (OSError, ValueError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"--lm {spec}: cannot load the model ({first}); give a local transformers directory "
                             "with safetensors weights, or a hub id that is in the Hugging Face cache") from None
        self.torch = torch
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.model.to(self.device).eval()
        self.batch_size = batch_size
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.tokenizer.padding_side = "right"
        self.start = self.tokenizer.bos_token or self.tokenizer.eos_token or ""
        if local.exists():
            self.name = f"{PREFIX}{local.resolve().name}@{fingerprint(local)}"
        else:
            self.name = f"{PREFIX}{target}@{(getattr(self.model.config, '_commit_hash', None) or 'hub')[:12]}"
        self._cache_path = cache_dir() / "lm" / f"{hashlib.sha256(self.name.encode()).hexdigest()[:16]}.jsonl"
        self._cache = self._read_cache()

    def _read_cache(self) -> dict[str, float]:
        cache = {}
        try:
            with self._cache_path.open(encoding="utf-8") as stream:
                for line in stream:
                    try:
                        row = json.loads(line)
                        cache[row["key"]] = row["bpc"]
                    except (ValueError, KeyError):
                        continue  # a line cut by a crash
        except OSError:
            pass
        return cache

    def _remember(self, rows: list[dict]) -> None:
        try:
            self._cache_path.parent.mkdir(parents=True, exist_ok=True)
            with self._cache_path.open("a", encoding="utf-8") as stream:
                stream.write("".join(json.dumps(r) + "\n" for r in rows))
                stream.flush()
                os.fsync(stream.fileno())
        except OSError:
            pass  # an unwritable cache costs time, never the scores

    def bpc(self, poems: list[list[str]]) -> list[float | None]:
        """Bits per character of each poem (None for a poem without lines)."""
        from poetbench.text.lines import join

        texts = [join(p) if p else None for p in poems]
        keys = [None if t is None else hashlib.sha256(t.encode()).hexdigest()[:20] for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if t is not None and k not in self._cache}.items())
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            values = self._score([t for _, t in batch])
            rows = [{"key": k, "bpc": v} for (k, _), v in zip(batch, values)]
            self._cache.update((r["key"], r["bpc"]) for r in rows)
            self._remember(rows)
        return [None if k is None else round(self._cache[k], 4) for k in keys]

    def _score(self, texts: list[str]) -> list[float]:
        torch = self.torch
        encoded = self.tokenizer([self.start + t for t in texts], return_tensors="pt", padding=True,
                                 add_special_tokens=False).to(self.device)
        with torch.no_grad():
            logits = self.model(**encoded).logits.float()
        logprobs = torch.log_softmax(logits[:, :-1], dim=-1)
        targets = encoded["input_ids"][:, 1:]
        mask = encoded["attention_mask"][:, 1:].float()
        picked = logprobs.gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask
        bits = -picked.sum(dim=1) / torch.log(torch.tensor(2.0))
        return [float(b) / len(t) for b, t in zip(bits, texts)]
