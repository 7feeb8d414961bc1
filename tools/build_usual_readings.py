"""Build ``poetbench/resources/usual-readings-v1.tsv``: the usual tone of 多音字 in Tang verse.

    python tools/build_usual_readings.py [--corpus DIR]

Over the regulated poems of 全唐诗 (4 or 8 lines of 5 or 7 characters) it reads every
character with the 平水韵 book and its words, checks the poem's 平仄, and counts, for each
character the book leaves undecided, the tone that position settles it to in poems that follow
their patterns (``poetbench.phonology.inference``). A character enters the table when at least
90% of at least 10 such readings agree. The table holds counts, never corpus text.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from poetbench.data.chinese_poetry import iter_tang  # noqa: E402
from poetbench.data.discovery import find_corpus  # noqa: E402
from poetbench.phonology import inference  # noqa: E402
from poetbench.phonology.book import get_book  # noqa: E402
from poetbench.scoring import read_meter  # noqa: E402
from poetbench.text.lines import split_lines  # noqa: E402


def regulated(poems: list[str]) -> list[list[str]]:
    """The poems of a regulated shape, as lines."""
    out = []
    for text in poems:
        lines = split_lines(text)
        if len(lines) in (4, 8) and len({len(line) for line in lines}) == 1 and len(lines[0]) in (5, 7):
            out.append(lines)
    return out


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
    with inference.USUAL_FILE.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter="\t", lineterminator="\n")
        writer.writerow(["char", "tone", "ping", "ze"])
        for char in sorted(usual, key=lambda c: (-sum(counts[c]), c)):
            writer.writerow([char, usual[char], *counts[char]])
    print(f"{len(poems)} regulated poems; {len(counts)} undecided characters settled by position; "
          f"{len(usual)} with a usual reading -> {inference.USUAL_FILE.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
