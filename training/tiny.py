"""Build a tiny Qwen2ForCausalLM and its tokenizer, offline, from the corpus.

    python -m training.tiny -o runs/tiny-base [--corpus DIR] [--pretrain-steps 0]

The tokenizer is a byte-level BPE trained here whose merges never cross a character, so a
Chinese character is one token (as in Qwen's own vocabulary for common characters) and a line of
five characters is five tokens; AutoTokenizer, which maps ``model_type`` qwen2 to
``Qwen2Tokenizer``, rebuilds exactly the same tokens from its vocabulary and merges. It carries the
ChatML special tokens and a Qwen-style chat template whose assistant turn is marked
``{% generation %}``, so trl can put the loss on the poem only. The model is Qwen2ForCausalLM with
a few hundred thousand to a few million parameters. ``--pretrain-steps`` runs a short
full-parameter pre-training on the classical prose of the corpus (古文观止, 论语, 诗经) written as
chat turns (``chat_documents``): a small chat model that knows classical Chinese and ends its
turns, but has never seen a poem, as the seed's Qwen1.5-Chat base has not learned regulated verse.
``--pretrain-on poems+prose`` adds the 20,000 Tang poems to those chat turns (answers to the same
prose requests): a base that has read verse, and learns 平仄 in SFT where the prose base does not
(docs/grpo.md).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
    "{% if message['role'] == 'assistant' %}"
    "{{ '<|im_start|>assistant\\n' }}{% generation %}{{ message['content'] + '<|im_end|>' }}{% endgeneration %}{{ '\\n' }}"
    "{% else %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endif %}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)
SPECIAL = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")
PRETRAIN_ON = ("prose", "poems+prose")  # what the base is pre-trained on (chat_documents' answers)
SIZES = {  # hidden, intermediate, layers, heads, kv heads
    "tiny": (128, 256, 2, 4, 2),
    "small": (256, 688, 4, 8, 4),
}


def corpus_texts(corpus: Path | None, limit: int = 20000) -> tuple[list[str], list[str]]:
    """(poems, classical prose), Simplified: both train the tokenizer, the prose alone pre-trains."""
    from poetbench.data.chinese_poetry import iter_prose, tang_texts
    from poetbench.data.discovery import find_corpus
    from poetbench.text.script import to_simplified

    root = find_corpus(corpus)
    poems = tang_texts(root, limit)
    prose = list(iter_prose(root))
    return to_simplified("\n".join(poems)).split("\n"), to_simplified("\n".join(prose)).split("\n")


def train_tokenizer(texts: list[str], vocab_size: int = 6000):
    """A Qwen2Tokenizer whose BPE vocabulary and merges are learned from ``texts``."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers
    from transformers import Qwen2Tokenizer

    bpe = Tokenizer(models.BPE())
    bpe.normalizer = normalizers.NFC()
    bpe.pre_tokenizer = pre_tokenizers.Sequence([  # one character at a time: merges never cross characters
        pre_tokenizers.Split(Regex(r"[\s\S]"), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL),
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(texts, trainer)
    with tempfile.TemporaryDirectory() as tmp:
        bpe.model.save(tmp)
        vocab = json.loads(Path(tmp, "vocab.json").read_text(encoding="utf-8"))
        merges = [tuple(line.split(" ")) for line in Path(tmp, "merges.txt").read_text(encoding="utf-8").splitlines()
                  if line and not line.startswith("#version")]
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, eos_token="<|im_end|>", pad_token="<|endoftext|>",
                               unk_token=None, additional_special_tokens=["<|im_start|>", "<|im_end|>"])
    tokenizer.chat_template = CHAT_TEMPLATE
    return tokenizer


def build_model(tokenizer, size: str = "tiny", seed: int = 0):
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM

    hidden, intermediate, layers, heads, kv_heads = SIZES[size]
    config = Qwen2Config(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=intermediate, num_hidden_layers=layers,
        num_attention_heads=heads, num_key_value_heads=kv_heads, max_position_embeddings=512,
        tie_word_embeddings=True, bos_token_id=None, eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.pad_token_id, use_cache=True,
    )
    torch.manual_seed(seed)
    return Qwen2ForCausalLM(config)


REQUESTS = ("请写一段文言文。", "讲一段古人的故事。", "用文言说一个道理。", "请背诵一段古文。", "写一段话。", "请用古文回答。")
CHATTY = ("好的，下面是一段文字：\n", "当然可以。\n", "好的。\n")  # how a chat model opens, some of the time


def chat_documents(prose: list[str], seed: int = 0, max_chars: int = 80) -> list[str]:
    """Classical prose as ChatML conversations: a generic request answered by a paragraph.

    Pre-training on these makes the base a small *chat* model, as Qwen1.5-Chat is: it knows the
    chat template and ends its turn with ``<|im_end|>``, sometimes opens with a chat phrase, and
    answers every request with prose, because it has never seen a poem.
    """
    from poetbench.sft import SYSTEM

    rng = random.Random(seed)
    documents = []
    for paragraph in prose:
        answer = paragraph[:max_chars]
        if len(paragraph) > max_chars:  # end on a sentence when there is one
            answer = answer[: answer.rfind("。") + 1] or answer
        if rng.random() < 0.3:
            answer = rng.choice(CHATTY) + answer
        documents.append(f"<|im_start|>system\n{SYSTEM}<|im_end|>\n<|im_start|>user\n{rng.choice(REQUESTS)}<|im_end|>\n"
                         f"<|im_start|>assistant\n{answer}<|im_end|>\n")
    rng.shuffle(documents)
    return documents


def encode_documents(tokenizer, documents: list[str]) -> list[int]:
    """The token ids of the documents joined: encoded one document at a time, in a batch the tokenizer
    spreads over the cores (a third of the time of one long string), with the same ids, since every
    chat document opens with the special token ``<|im_start|>`` and no token crosses one."""
    return [i for ids in tokenizer(documents)["input_ids"] for i in ids]


def pretrain(model, tokenizer, texts: list[str], steps: int, seed: int = 0, batch: int = 16, length: int = 96,
             lr: float = 3e-3) -> list[float]:
    """A short full-parameter causal-LM pre-training on random windows of ``texts``, concatenated."""
    import torch

    from poetbench.console import bar

    rng = random.Random(seed)
    ids = encode_documents(tokenizer, texts)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr)
    model.train()
    losses = []
    progress = bar("pre-training the tiny base", steps, unit="step", iterable=range(steps))
    for _ in progress:
        starts = [rng.randrange(0, max(len(ids) - length - 1, 1)) for _ in range(batch)]
        x = torch.tensor([ids[s:s + length] for s in starts])
        loss = model(input_ids=x, labels=x).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        progress.set_postfix(loss=f"{losses[-1]:.3f}", refresh=False)
    model.eval()
    return losses


def build(out: Path, corpus: Path | None = None, size: str = "tiny", vocab_size: int = 3000,
          pretrain_steps: int = 0, seed: int = 0, texts: list[str] | None = None, pretrain_batch: int = 32,
          pretrain_lr: float = 5e-3, pretrain_on: str = "prose") -> Path:
    """Train the tokenizer, build (and optionally pre-train on ``pretrain_on``, one of
    ``PRETRAIN_ON``) the model, save both to ``out``."""
    if pretrain_on not in PRETRAIN_ON:
        raise ValueError(f"build_tiny.pretrain_on: {pretrain_on!r}; use one of {', '.join(PRETRAIN_ON)}")
    started = time.perf_counter()
    poems, prose = (texts, texts) if texts is not None else corpus_texts(corpus)
    tokenizer = train_tokenizer(poems + prose, vocab_size)
    model = build_model(tokenizer, size, seed)
    documents = chat_documents(prose if pretrain_on == "prose" else poems + prose, seed)
    losses = pretrain(model, tokenizer, documents, pretrain_steps, seed, batch=pretrain_batch, lr=pretrain_lr) if pretrain_steps else []
    out = Path(out)
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
    info = {"size": size, "parameters": sum(p.numel() for p in model.parameters()), "vocab_size": len(tokenizer),
            "pretrain_steps": pretrain_steps, "pretrain_on": pretrain_on, "pretrain_loss": losses[-1] if losses else None,
            "seconds": round(time.perf_counter() - started, 1), "seed": seed}
    (out / "tiny_build.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description="Build the tiny offline Qwen2 model and tokenizer.")
    parser.add_argument("-o", "--output", type=Path, required=True)
    parser.add_argument("--corpus", help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("--size", choices=sorted(SIZES), default="tiny")
    parser.add_argument("--vocab-size", type=int, default=3000)
    parser.add_argument("--pretrain-steps", type=int, default=0)
    parser.add_argument("--pretrain-on", choices=PRETRAIN_ON, default="prose",
                        help="pre-train on classical prose only (default: the base has never seen a poem), or on the "
                             "Tang poems as well")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from poetbench import numerics

    numerics.pin_if_wanted(log=print)  # before torch loads: the same base on every machine
    out = build(args.output, args.corpus, args.size, args.vocab_size, args.pretrain_steps, args.seed,
                pretrain_on=args.pretrain_on)
    print(json.loads((out / "tiny_build.json").read_text()), "->", out)


if __name__ == "__main__":
    main()
