"""Qwen's BPE on our data: tokens per character, and how many training examples ``max_length`` cuts.

    python bench/qwen_lengths.py [--prepared DIR] [--max-length 256]

Needs the ``qwen`` extra. Builds Qwen's tokenizer with Qwen1.5-Chat's template
(``training/qwen_like.py``), turns every poem of the train split into the training example
``training/train.py`` makes of it (system, request, poem; prompt–completion, the end-of-turn
token added), and prints:

* tokens per Han character of the poems alone, of the training split and of every eval set's
  prompts (requests under the template, system prompt included, per character of the request);
* the length of the training examples in tokens (median, 95th and 99th percentile, maximum),
  the share longer than ``--max-length`` (trl cuts them: the poem loses its end and the model
  its end-of-turn token), and the smallest multiple of 32 that keeps 99.9% of them whole.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from poetbench import evalsets
from poetbench.data.discovery import find_corpus
from poetbench.data.prepare import load_split, prepare_cached
from poetbench.generation.hf import chat_prompt
from poetbench.sft import poem_text, to_messages, to_prompt_completion, turn_closing
from poetbench.text.lines import han_count, split_lines
from poetbench.text.script import to_simplified
from training.qwen_like import build_tokenizer


def main() -> None:
    parser = argparse.ArgumentParser(description="Qwen's BPE on the training split and the eval prompts.")
    parser.add_argument("--prepared", type=Path, help="a `poetbench data prepare` directory (default: the corpus's default split)")
    parser.add_argument("--max-length", type=int, default=256)
    args = parser.parse_args()
    prepared = args.prepared or prepare_cached(find_corpus(None))
    rows = load_split(prepared, "train")
    tokenizer = build_tokenizer()
    closing = turn_closing(tokenizer)

    poems = [poem_text(split_lines(row.get("text_simp") or to_simplified(row["text"]))) for row in rows]
    poem_tokens = sum(len(ids) for ids in tokenizer(poems)["input_ids"])
    poem_chars = sum(han_count(p) for p in poems)
    print(f"train poems            {len(rows)}")
    print(f"tokens per character   {poem_tokens / poem_chars:.3f}  (poems alone: {poem_tokens} tokens, {poem_chars} Han characters)")

    examples = [to_prompt_completion(to_messages(row), closing) for row in rows]
    texts = [tokenizer.apply_chat_template(e["prompt"] + e["completion"], tokenize=False) for e in examples]
    lengths = np.array([len(ids) for ids in tokenizer(texts)["input_ids"]])
    cut = float(np.mean(lengths > args.max_length))
    keep = int(np.ceil(np.quantile(lengths, 0.999) / 32) * 32)
    print(f"example length         median {np.median(lengths):.0f}, p95 {np.quantile(lengths, 0.95):.0f}, "
          f"p99 {np.quantile(lengths, 0.99):.0f}, max {lengths.max()} tokens")
    print(f"cut by max_length {args.max_length}  {cut:.2%}  ({int(np.sum(lengths > args.max_length))} of {len(lengths)})")
    print(f"max_length for 99.9%   {keep}")

    for name in evalsets.registry():
        try:
            prompts = [row["prompt"] for row in evalsets.load(name)]
        except Exception as exc:  # an eval set that needs a corpus it cannot find
            print(f"eval set {name:14s} skipped ({exc})")
            continue
        request_tokens = sum(len(tokenizer(p)["input_ids"]) for p in prompts)
        request_chars = sum(len(p) for p in prompts)
        full = [len(tokenizer(chat_prompt(tokenizer, p))["input_ids"]) for p in prompts]
        print(f"eval set {name:14s} {len(prompts)} prompts: {request_tokens / request_chars:.3f} tokens per character "
              f"of the request; {np.mean(full):.1f} tokens with system prompt and template")


if __name__ == "__main__":
    main()
