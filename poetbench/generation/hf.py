"""Generate with transformers: the base model loaded once, every adapter attached to it.

``set_adapter`` switches between adapters and ``disable_adapter()`` gives the base. Prompts go
through the chat template, in batches with left padding, and stop at the end-of-turn token.

Determinism: decoding is greedy by default (the A/B default). With ``temperature`` > 0 each
row draws its tokens from its own ``torch.Generator``, seeded from (prompt id, sample index,
seed) by ``SeededSampling`` (the token is chosen inside a logits processor and generate then
takes it greedily), so a sample does not depend on which rows share its batch.
"""

from __future__ import annotations

import contextlib
import hashlib
import time

from poetbench.checkpoints import Checkpoint
from poetbench.jsonl import InputError
from poetbench.sft import SYSTEM


def chat_prompt(tokenizer, prompt: str) -> str:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def row_seed(prompt_id: str, sample_index: int, seed: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{prompt_id}:{sample_index}".encode()).digest()[:8], "big") >> 1


class SeededSampling:
    """A logits processor that samples each row with its own generator (temperature, top-p)."""

    def __init__(self, seeds: list[int], temperature: float, top_p: float):
        import torch

        self.generators = [torch.Generator().manual_seed(s) for s in seeds]
        self.temperature, self.top_p = temperature, top_p

    def __call__(self, input_ids, scores):
        import torch

        probs = torch.softmax(scores.float() / self.temperature, dim=-1)
        if self.top_p < 1.0:
            ordered, order = probs.sort(dim=-1, descending=True)
            cut = ordered.cumsum(dim=-1) - ordered > self.top_p
            ordered[cut] = 0.0
            probs = torch.zeros_like(probs).scatter(-1, order, ordered)
        chosen = torch.stack([torch.multinomial(p.cpu(), 1, generator=g) for p, g in zip(probs, self.generators)])
        out = torch.full_like(scores, float("-inf"))
        return out.scatter(-1, chosen.to(scores.device), 0.0)


def load(base: str, adapters: dict[str, str], device: str = "auto", load_in_4bit: bool = False):
    """The tokenizer and the base model with every adapter attached, under the names of ``adapters``
    (names peft accepts: no ".")."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    kwargs = {}
    if load_in_4bit:
        from transformers import BitsAndBytesConfig

        kwargs["quantization_config"] = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4")
    tokenizer = AutoTokenizer.from_pretrained(base)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(base, **kwargs)
    if not load_in_4bit:
        model = model.to(device)
    if adapters:
        from peft import PeftModel

        labels = list(adapters)
        model = PeftModel.from_pretrained(model, adapters[labels[0]], adapter_name=labels[0])
        for label in labels[1:]:
            model.load_adapter(adapters[label], adapter_name=label)
    model.eval()
    return tokenizer, model


@contextlib.contextmanager
def active(model, name: str | None):
    """Generate with adapter ``name``, or with the bare base when ``name`` is None."""
    if name is None and hasattr(model, "disable_adapter"):
        with model.disable_adapter():
            yield
        return
    if name is not None:
        model.set_adapter(name)
    yield


def generate(model, tokenizer, prompts: list[str], max_new_tokens: int = 64, batch_size: int = 8,
             temperature: float = 0.0, top_p: float = 1.0, seeds: list[int] | None = None,
             repetition_penalty: float = 1.0) -> list[dict]:
    """One ``{output, seconds}`` per prompt, in order; ``seeds`` (one per prompt) when sampling."""
    import torch
    from transformers import LogitsProcessorList

    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    stop = [t for t in {tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.eos_token_id} if t is not None]
    out = []
    try:
        for start in range(0, len(prompts), batch_size):
            batch = prompts[start:start + batch_size]
            inputs = tokenizer([chat_prompt(tokenizer, p) for p in batch], return_tensors="pt", padding=True)
            inputs = {k: v.to(model.device) for k, v in inputs.items()}
            processors = LogitsProcessorList()
            if temperature > 0:
                batch_seeds = (seeds or [0] * len(prompts))[start:start + batch_size]
                processors.append(SeededSampling(batch_seeds, temperature, top_p))
            started = time.perf_counter()
            with torch.no_grad():
                tokens = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=False,
                                        logits_processor=processors, eos_token_id=stop,
                                        repetition_penalty=repetition_penalty if repetition_penalty != 1.0 else None,
                                        pad_token_id=tokenizer.pad_token_id)
            seconds = (time.perf_counter() - started) / len(batch)
            for row in tokens[:, inputs["input_ids"].shape[1]:]:
                out.append({"output": tokenizer.decode(row, skip_special_tokens=True).strip(), "seconds": seconds})
    finally:
        tokenizer.padding_side = side
    return out


class HFBackend:
    """The runner's hf backend: the base model loaded once, every adapter attached; generation by
    checkpoint label."""

    def __init__(self, checkpoints: list[Checkpoint], device: str, batch_size: int, load_in_4bit: bool = False):
        # peft names adapters as modules, so not by label: a label may hold "." (grpo60-no_chatter0.5)
        self.names = {c.label: f"adapter{n}" for n, c in enumerate(checkpoints) if c.adapter}
        adapters = {self.names[c.label]: c.path for c in checkpoints if c.adapter}
        bases = {c.base for c in checkpoints if c.adapter} | {c.path for c in checkpoints if not c.adapter}
        if len(bases) != 1:
            raise InputError(f"--checkpoints: one base model per run; these name several: {', '.join(sorted(bases))}")
        self.tokenizer, self.model = load(bases.pop(), adapters, device, load_in_4bit)
        self.batch_size = batch_size

    def generate(self, checkpoint: Checkpoint, items: list[tuple[dict, int]], gen_kwargs: dict, seed: int) -> list[dict]:
        seeds = [row_seed(p["id"], k, seed) for p, k in items]
        with active(self.model, self.names[checkpoint.label] if checkpoint.adapter else None):
            return generate(self.model, self.tokenizer, [p["prompt"] for p, _ in items],
                            max_new_tokens=int(gen_kwargs["max_new_tokens"]), batch_size=self.batch_size,
                            temperature=gen_kwargs["temperature"], top_p=gen_kwargs["top_p"], seeds=seeds,
                            repetition_penalty=gen_kwargs.get("repetition_penalty", 1.0))


def from_settings(settings, checkpoints: list[Checkpoint]) -> HFBackend:
    """The backend ``--backend hf`` names (``generation/__init__.py``): the base and its adapters
    on the device asked for."""
    return HFBackend(checkpoints, settings.device, settings.batch_size, settings.load_in_4bit)
