"""Build ``poetbench/resources/usual-readings-v1.tsv``: the usual tone of 多音字 in Tang verse.

    python tools/build_usual_readings.py [--corpus DIR]

Over the regulated poems of 全唐诗 (4 or 8 lines of 5 or 7 characters) it reads every
character with the 平水韵 book and its words, checks the poem's 平仄, and counts, for each
character the book leaves undecided, the tone that position settles it to in poems that follow
their patterns (``poetbench.phonology.inference``). A character enters the table when at least
90% of at least 10 such readings agree. The table holds counts, never corpus text; which poems
count and how the table is written are ``poetbench.phonology.usual``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from poetbench.data.chinese_poetry import iter_tang
from poetbench.data.discovery import find_corpus
from poetbench.metrics.tone_pattern import read_meter
from poetbench.phonology import inference
from poetbench.phonology.book import get_book
from poetbench.phonology.usual import regulated, write_table

ROOT = Path(__file__).resolve().parents[1]


def position_counts(poems: list[list[str]]) -> dict[str, list[int]]:
    codes, _, tones = read_meter(get_book("pingshui"), poems)
    return inference.count_positions(poems, codes, tones)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    args = parser.parse_args()
    poems = regulated(["".join(p["paragraphs"]) for p in iter_tang(find_corpus(args.corpus))])
    counts = position_counts(poems)
    usual = inference.usual_from_counts(counts)
    write_table(counts, usual)
    print(f"{len(poems)} regulated poems; {len(counts)} undecided characters settled by position; "
          f"{len(usual)} with a usual reading -> {inference.USUAL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
