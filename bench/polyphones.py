"""多音字 on the regulated verse of 全唐诗: how many stay undecided (○), and how right the rest are.

    python bench/polyphones.py [--corpus DIR] [--sample N]

For every regulated poem (4 or 8 lines of 5 or 7 characters) it reads each character with the
平水韵 book and prints the share of characters left undecided after each step of
``poetbench.phonology.inference``: the table alone, the word (pypinyin phrases, jieba where two
words disagree), position, and usual reading; then the same with the usual-reading table built
from the even-numbered poems only and measured on the odd-numbered ones (held out).

Accuracy: ``tests/data/polyphones-checked.tsv`` holds 100 characters that the table alone leaves
undecided, drawn at random with ``--sample 100`` (seed 15, among those the later steps decided
when the file was made), each with its reading checked by hand against the rhyme dictionaries
(the note gives the reading and sense; ``A`` where the dictionary gives both readings for that
sense). The bench reads each again and prints the share shown right, by step. The file names
characters by their place in the corpus (poem index in ``iter_tang`` order, line, position), never
by corpus text.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from build_usual_readings import regulated  # noqa: E402

from poetbench.data.chinese_poetry import iter_tang  # noqa: E402
from poetbench.data.discovery import find_corpus  # noqa: E402
from poetbench.phonology import inference  # noqa: E402
from poetbench.phonology.book import get_book  # noqa: E402
from poetbench.phonology.modern import EITHER  # noqa: E402
from poetbench.scoring import read_meter  # noqa: E402

CHECKED = ROOT / "tests" / "data" / "polyphones-checked.tsv"
STEPS = {inference.DECIDED: "the word", inference.POSITION: "position", inference.USUAL: "usual reading"}


def read_all(poems: list[list[str]]):
    """Per poem: (table-only codes, codes after the word, shown codes, how each was found)."""
    book = get_book("pingshui")
    table_only = [[book.table_tones(line) for line in lines] for lines in poems]
    codes, _, tones = read_meter(book, poems)
    settled = [inference.settle(lines, c, t) for lines, c, t in zip(poems, codes, tones)]
    return table_only, codes, tones, settled


def undecided_share(poems, table_only, codes, settled) -> dict[str, float]:
    total = sum(len(line) for lines in poems for line in lines)
    count = Counter()
    for t, c, (shown, how) in zip(table_only, codes, settled):
        count["table"] += sum(line.count(EITHER) for line in t)
        count["word"] += sum(line.count(EITHER) for line in c)
        count["position"] += sum(s.count(EITHER) + sum(1 for x, h in zip(s, w) if h == inference.USUAL)
                                 for s, w in zip(shown, how))
        count["usual"] += sum(line.count(EITHER) for line in shown)
    return {step: count[step] / total for step in ("table", "word", "position", "usual")}


def held_out(poems, codes, tones) -> float:
    """○ share on the odd-numbered poems, the usual readings learned from the even-numbered."""
    counts = inference.count_positions(poems[0::2], codes[0::2], tones[0::2])
    usual = inference.usual_from_counts(counts)
    total = left = 0
    for lines, c, t in zip(poems[1::2], codes[1::2], tones[1::2]):
        by_position = inference.position_readings(c, t)
        for i, (line, line_codes) in enumerate(zip(lines, c)):
            total += len(line)
            left += sum(1 for p, (ch, code) in enumerate(zip(line, line_codes))
                        if code == EITHER and (i, p) not in by_position and ch not in usual)
    return left / total


def draws(poems, table_only, settled, n: int, seed: int = 15) -> list[tuple[int, int, int]]:
    """``n`` random (poem, line, position) among the characters the table leaves undecided and
    the later steps decide."""
    cells = [(k, i, p) for k, t in enumerate(table_only) for i, line in enumerate(t)
             for p, code in enumerate(line) if code == EITHER and settled[k][0][i][p] != EITHER]
    return random.Random(seed).sample(cells, n)


def accuracy(poems, settled) -> dict[str, list[int]]:
    """{step: [right, counted]} on the hand-checked sample; printed."""
    with CHECKED.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream, delimiter="\t"))
    by_step: dict[str, list[int]] = {}
    either = undecided = 0
    for row in rows:
        k, i, p = int(row["poem"]), int(row["line"]) - 1, int(row["pos"]) - 1
        if poems[k][i][p] != row["char"]:
            raise SystemExit(f"{CHECKED.name}: poem {k} line {i + 1} char {p + 1} is no longer {row['char']}")
        shown, how = settled[k]
        if shown[i][p] == EITHER:
            undecided += 1
        elif row["checked"] == EITHER:
            either += 1
        else:
            hit = by_step.setdefault(STEPS[how[i][p]], [0, 0])
            hit[0] += shown[i][p] == row["checked"]
            hit[1] += 1
    right, counted = (sum(v[k] for v in by_step.values()) for k in (0, 1))
    print(f"hand-checked sample: {len(rows)} characters ({CHECKED.relative_to(ROOT)})")
    for step, (hits, n) in by_step.items():
        print(f"  decided by {step:<14} {hits:>3}/{n:<3} right")
    print(f"  both readings right for the sense (not counted): {either}; left undecided: {undecided}")
    print(f"  accuracy where the dictionary decides: {right}/{counted} = {right / max(counted, 1):.1%}")
    return by_step


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("--sample", type=int, help="print N new draws to check by hand, and stop")
    args = parser.parse_args()
    tang = ["".join(p["paragraphs"]) for p in iter_tang(find_corpus(args.corpus))]
    poems = regulated(tang)
    table_only, codes, tones, settled = read_all(poems)
    if args.sample:
        for k, i, p in draws(poems, table_only, settled, args.sample):
            shown, how = settled[k]
            print(f"{k}\t{i + 1}\t{p + 1}\t{poems[k][i][p]}\t{shown[i][p]}\t{how[i][p]}\t{'/'.join(poems[k])}")
        return
    shares = undecided_share(poems, table_only, codes, settled)
    print(f"{len(poems)} regulated poems of 全唐诗, {sum(len(l) for ls in poems for l in ls)} characters")
    print("undecided (○) after each step:")
    for step, label in (("table", "平水韵 table alone"), ("word", "+ the word (pypinyin, jieba)"),
                        ("position", "+ position in regulated verse"), ("usual", "+ usual reading")):
        print(f"  {label:<32} {shares[step]:6.2%}")
    print(f"  held out (usual readings from even poems, measured on odd) {held_out(poems, codes, tones):.2%}")
    accuracy(poems, settled)


if __name__ == "__main__":
    main()
