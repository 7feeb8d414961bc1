"""Generate with a transformers model (and its active adapter): batched, left-padded, greedy by
default, each prompt through the chat template, stopping at the end-of-turn token."""

from __future__ import annotations

import time

from poetbench.sft import SYSTEM


def chat_prompt(tokenizer, prompt: str) -> str:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]
    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)


def generate(model, tokenizer, prompts: list[str], max_new_tokens: int = 64, batch_size: int = 8,
             do_sample: bool = False, temperature: float = 1.0, top_p: float = 1.0) -> list[dict]:
    """One ``{output, seconds}`` per prompt, in order."""
    import torch

    side = tokenizer.padding_side
    tokenizer.padding_side = "left"
    stop = [tokenizer.convert_tokens_to_ids("<|im_end|>"), tokenizer.eos_token_id]
    out = []
    try:
        for start in range(0, len(prompts), batch_size):
            batch = prompts[start:start + batch_size]
            inputs = tokenizer([chat_prompt(tokenizer, p) for p in batch], return_tensors="pt", padding=True)
            inputs = {k: v.to(model.device) for k, v in inputs.items()}
            started = time.perf_counter()
            with torch.no_grad():
                tokens = model.generate(**inputs, max_new_tokens=max_new_tokens, do_sample=do_sample,
                                        temperature=temperature if do_sample else None, top_p=top_p if do_sample else None,
                                        eos_token_id=[t for t in stop if t is not None], pad_token_id=tokenizer.pad_token_id)
            seconds = (time.perf_counter() - started) / len(batch)
            for row in tokens[:, inputs["input_ids"].shape[1]:]:
                out.append({"output": tokenizer.decode(row, skip_special_tokens=True).strip(), "seconds": seconds})
    finally:
        tokenizer.padding_side = side
    return out
