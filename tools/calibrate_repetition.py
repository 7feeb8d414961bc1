"""Measure the repetition thresholds in poetbench/metrics/repetition.py on 全唐诗.

    python tools/calibrate_repetition.py [--corpus DIR]

For Tang poems bucketed by length in characters, prints the 99th percentile of the count of
each poem's most frequent character and of its most frequent bigram (inside lines).
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from poetbench.data.chinese_poetry import iter_tang
from poetbench.data.discovery import find_corpus
from poetbench.metrics.repetition import THRESHOLDS
from poetbench.text.lines import split_lines
from poetbench.text.script import simplify_chars


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    args = parser.parse_args()
    args.corpus = find_corpus(args.corpus)
    bounds = [t[0] for t in THRESHOLDS]
    stats = defaultdict(lambda: ([], []))
    for poem in iter_tang(args.corpus):
        lines = split_lines(simplify_chars("".join(poem["paragraphs"])))
        if not lines:
            continue
        n = sum(map(len, lines))
        bucket = next(b for b in bounds if n <= b)
        chars = Counter(c for line in lines for c in line)
        pairs = Counter(line[k:k + 2] for line in lines for k in range(len(line) - 1))
        stats[bucket][0].append(max(chars.values()))
        stats[bucket][1].append(max(pairs.values(), default=0))
    print("(longest, char q99, bigram q99, poems)")
    for bucket in bounds:
        chars, pairs = stats[bucket]
        if chars:
            print((bucket, round(float(np.percentile(chars, 99))), round(float(np.percentile(pairs, 99))), len(chars)))


if __name__ == "__main__":
    main()
