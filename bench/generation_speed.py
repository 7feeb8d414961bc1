"""Generation speed and memory on the tiny model, on the CPU, as ratios.

    python bench/generation_speed.py [--prompts 64] [--batch-size 16] [--adapters 4]

1. Samples per second generating in batches (left padding, ``--batch-size``) against one prompt
   at a time (the seed notebook's style), on the same prompts, in the same run. Target: >= 4x at
   batch 16.
2. Memory of one base with N LoRA adapters attached (how ``poetbench run`` loads them) against
   N separate full loads (base + adapter each): the bytes of the weights held, and the growth of
   the process's resident memory.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def rss_bytes() -> int:
    with open("/proc/self/statm") as stream:
        return int(stream.read().split()[1]) * 4096


def weight_bytes(model) -> int:
    return sum(t.numel() * t.element_size() for t in model.state_dict().values())


def make_adapters(base: Path, folder: Path, n: int) -> list[Path]:
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    paths = []
    for k in range(n):
        torch.manual_seed(k)
        model = get_peft_model(AutoModelForCausalLM.from_pretrained(base),
                               LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                                          task_type="CAUSAL_LM", init_lora_weights=False))
        model.save_pretrained(folder / f"adapter{k}")
        paths.append(folder / f"adapter{k}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--adapters", type=int, default=4)
    parser.add_argument("--max-new-tokens", type=int, default=32)
    args = parser.parse_args()

    import torch

    from poetbench import evalsets
    from poetbench.audit.poems import REGULATED, VERNACULAR
    from poetbench.generation import hf
    from training import tiny

    torch.set_num_threads(2)
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp) / "base"
        tiny.build(base, vocab_size=2000, texts=[t for _, t in REGULATED.values()] * 5 + VERNACULAR)
        adapters = make_adapters(base, Path(tmp), args.adapters)
        prompts = [p["prompt"] for p in evalsets.load("smoke-v1")] * (args.prompts // 12 + 1)
        prompts = prompts[: args.prompts]

        tokenizer, model = hf.load(str(base), {f"a{k}": str(p) for k, p in enumerate(adapters)}, "cpu")
        hf.generate(model, tokenizer, prompts[:4], args.max_new_tokens, 4)  # warm-up
        rates = {}
        for batch in (1, args.batch_size):
            started = time.perf_counter()
            hf.generate(model, tokenizer, prompts, args.max_new_tokens, batch)
            rates[batch] = len(prompts) / (time.perf_counter() - started)
        shared_bytes = weight_bytes(model)
        del model

        before = rss_bytes()
        _, shared = hf.load(str(base), {f"a{k}": str(p) for k, p in enumerate(adapters)}, "cpu")
        shared_rss = rss_bytes() - before
        del shared
        before = rss_bytes()
        separate = [hf.load(str(base), {"a": str(p)}, "cpu")[1] for p in adapters]
        separate_rss = rss_bytes() - before
        separate_bytes = sum(weight_bytes(m) for m in separate)

    print(f"prompts                      {len(prompts)} ({args.max_new_tokens} new tokens each, greedy, CPU)")
    print(f"one prompt at a time         {rates[1]:8.1f} samples/s")
    print(f"batches of {args.batch_size:<3}               {rates[args.batch_size]:8.1f} samples/s")
    print(f"ratio                        {rates[args.batch_size] / rates[1]:8.2f}x  (target >= 4)")
    print(f"weights, base + {args.adapters} adapters   {shared_bytes / 1e6:8.2f} MB")
    print(f"weights, {args.adapters} full loads         {separate_bytes / 1e6:8.2f} MB  ({separate_bytes / shared_bytes:.2f}x)")
    print(f"resident memory growth       {shared_rss / 1e6:8.2f} MB against {separate_rss / 1e6:.2f} MB "
          f"({separate_rss / max(shared_rss, 1):.2f}x)")


if __name__ == "__main__":
    main()
