"""Why the n-gram model is our own: NLTK's Kneser–Ney against ``language/ngram.py`` (README,
"Fluency and coherence").

    pip install nltk   # not a dependency of poetbench
    python bench/ngram_nltk.py [--poems 3000] [--held 20]

Fits both 4-gram models on the lines of the first POEMS training poems of the default split
(from the corpus found by discovery) and scores the lines of HELD held-out poems, character by
character; prints fit seconds and characters scored per second for each, in one run.
"""

from __future__ import annotations

import argparse
import time

from nltk.lm import KneserNeyInterpolated
from nltk.lm.preprocessing import padded_everygram_pipeline

from poetbench.audit import split_poems
from poetbench.language import ngram


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--poems", type=int, default=3000)
    parser.add_argument("--held", type=int, default=20)
    args = parser.parse_args()
    split = split_poems(None)
    lines = [line for poem, _ in split.train[:args.poems] for line in poem]
    held = [line for poem, _ in split.held[:args.held] for line in poem]
    chars = sum(len(line) + 1 for line in held)

    started = time.perf_counter()
    train, vocab = padded_everygram_pipeline(4, [list(line) for line in lines])
    nltk_model = KneserNeyInterpolated(4)
    nltk_model.fit(train, vocab)
    nltk_fit = time.perf_counter() - started
    started = time.perf_counter()
    for line in held:
        padded = ["<s>"] * 3 + list(line) + ["</s>"]
        for k in range(3, len(padded)):
            nltk_model.logscore(padded[k], padded[k - 3:k])
    nltk_score = time.perf_counter() - started

    started = time.perf_counter()
    ours = ngram.build(lines)
    our_fit = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(100):
        ours.line_bits(held)
    our_score = (time.perf_counter() - started) / 100

    print(f"{len(lines)} training lines, {chars} held-out characters (line ends included)")
    print(f"nltk KneserNeyInterpolated(4): fit {nltk_fit:.1f} s, {chars / nltk_score:,.0f} characters/s")
    print(f"poetbench ngram (order 4):     fit {our_fit:.1f} s, {chars / our_score:,.0f} characters/s")
    print(f"scoring speed ratio: {nltk_score / our_score:,.0f}x")


if __name__ == "__main__":
    main()
