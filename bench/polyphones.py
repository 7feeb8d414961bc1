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
by corpus text. The measurement is ``poetbench.audit.polyphones``; this script prints it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from poetbench.audit.polyphones import accuracy, draws, held_out, read_all, undecided_share
from poetbench.data.chinese_poetry import iter_tang
from poetbench.data.discovery import find_corpus
from poetbench.phonology.usual import regulated

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ROOT / "tests" / "data" / "polyphones-checked.tsv"


def print_accuracy(poems, settled) -> None:
    """The hand-checked sample, read again: right by step."""
    try:
        result = accuracy(poems, settled, CHECKED)
    except ValueError as exc:
        raise SystemExit(str(exc)) from None
    right, counted = (sum(v[k] for v in result.by_step.values()) for k in (0, 1))
    print(f"hand-checked sample: {result.rows} characters ({CHECKED.relative_to(ROOT)})")
    for step, (hits, n) in result.by_step.items():
        print(f"  decided by {step:<14} {hits:>3}/{n:<3} right")
    print(f"  both readings right for the sense (not counted): {result.either}; left undecided: {result.undecided}")
    print(f"  accuracy where the dictionary decides: {right}/{counted} = {right / max(counted, 1):.1%}")


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
    print_accuracy(poems, settled)


if __name__ == "__main__":
    main()
