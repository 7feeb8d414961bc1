"""Build the classical-diction lexicon shipped as poetbench/resources/lexicon-v1.tsv.gz.

    python tools/build_lexicon.py [--corpus DIR] [-o FILE]

Method (README, "classical_ratio"):

1. Classical counts: characters and character bigrams (inside a line, in Simplified script,
   converted character by character as scoring does)
   of 全唐诗 and the classical prose shipped with the corpus (古文观止, 论语, 诗经). Every
   twentieth Tang poem (corpus index % 20 == 0) is left out, so tests can measure the metric on
   poems the lexicon never saw.
2. Modern counts: jieba's dictionary, a frequency list of modern Chinese words; each word's
   frequency counts for its characters and for the bigrams inside it.
3. An item (character or bigram) is classical diction when it is at least RATIO times more
   frequent (add-one smoothed, relative to each side's total) in the classical counts than in
   the modern ones, and seen at least MIN_COUNT times in the classical text.

The file holds derived items and their statistics only, never a line of text.
"""

from __future__ import annotations

import argparse
import gzip
import math
import re
from collections import Counter
from pathlib import Path

import jieba

from poetbench.data.chinese_poetry import iter_prose, iter_tang
from poetbench.data.discovery import find_corpus
from poetbench.text.lines import split_lines
from poetbench.text.script import simplify_chars

VERSION = "v1"
RATIO = 2.0
MIN_COUNT = {1: 20, 2: 5}
HELD_OUT_EVERY = 20  # Tang poems with index % 20 == 0 stay out of the lexicon
_HAN = re.compile(r"^[\u3400-\u9fff]+$")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "poetbench" / "resources" / f"lexicon-{VERSION}.tsv.gz"


def classical_counts(corpus: Path) -> Counter:
    texts = [("".join(p["paragraphs"])) for i, p in enumerate(iter_tang(corpus)) if i % HELD_OUT_EVERY]
    texts.extend(iter_prose(corpus))
    counts: Counter = Counter()
    for line in split_lines(simplify_chars("\n".join(texts))):
        counts.update(ch for ch in line if _HAN.match(ch))
        counts.update(line[k:k + 2] for k in range(len(line) - 1) if _HAN.match(line[k:k + 2]))
    return counts


def modern_counts() -> Counter:
    counts: Counter = Counter()
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as stream:
        for row in stream:
            word, freq = row.split(" ")[:2]
            if not _HAN.match(word):
                continue
            for ch in word:
                counts[ch] += int(freq)
            for k in range(len(word) - 1):
                counts[word[k:k + 2]] += int(freq)
    return counts


def build(corpus: Path) -> list[tuple[str, int, int, float]]:
    classical, modern = classical_counts(corpus), modern_counts()
    rows = []
    for size in (1, 2):
        c_total = sum(n for item, n in classical.items() if len(item) == size)
        m_total = sum(n for item, n in modern.items() if len(item) == size)
        vocabulary = len({item for item in classical if len(item) == size} | {i for i in modern if len(i) == size})
        for item, n in classical.items():
            if len(item) != size or n < MIN_COUNT[size]:
                continue
            m = modern.get(item, 0)
            score = math.log(((n + 1) / (c_total + vocabulary)) / ((m + 1) / (m_total + vocabulary)))
            if score >= math.log(RATIO):
                rows.append((item, n, m, round(score, 3)))
    return sorted(rows, key=lambda r: (len(r[0]), -r[3], r[0]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("-o", "--output", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    args.corpus = find_corpus(args.corpus)
    rows = build(args.corpus)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(args.output, "wt", encoding="utf-8", compresslevel=9) as out:
        out.write(f"# poetbench classical lexicon {VERSION}: item\tclassical_count\tmodern_count\tlog_ratio\n")
        for item, n, m, score in rows:
            out.write(f"{item}\t{n}\t{m}\t{score}\n")
    print(f"{len(rows)} items ({sum(len(r[0]) == 1 for r in rows)} characters) -> {args.output}")


if __name__ == "__main__":
    main()
