"""Pass rates of the 平仄 and rhyme checks on 全唐诗, against shuffled-character controls.

    python bench/pass_rates.py [--corpus DIR] [--every K]

For every poem of a regulated shape (4 or 8 lines of 5 or 7 characters) it prints the share
that pass the tone check, the rhyme check and both, in lenient and strict mode; then the same
poems with their characters shuffled (line lengths kept), and the agreement between the
Traditional text and its Simplified form (OpenCC t2s). `tests/test_validation.py` asserts
thresholds on the same numbers. The last two columns give the peer checker's 平仄 verdict
(``pingshui_rhyme``'s ``check_poem_pingze_meter``) on the Traditional and Simplified text.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from pathlib import Path

from poetbench.audit.controls import shuffle_characters
from poetbench.audit.peer import peer_checker, peer_meter_ok
from poetbench.data.chinese_poetry import tang_texts
from poetbench.data.discovery import find_corpus
from poetbench.scoring import Scorer
from poetbench.text.lines import split_lines
from poetbench.text.script import to_simplified

SHAPES = ("wujue", "qijue", "wulv", "qilv")
def load_tang(corpus: Path | None = None, every: int = 1) -> list[str]:
    """Every ``every``-th 全唐诗 poem of ``corpus`` (default: corpus discovery), as one string."""
    return tang_texts(find_corpus(corpus))[::every]


def ping_rhymed(text: str, scorer: Scorer) -> bool:
    """Even lines all end in a character that can be 平: the mark of 近体诗 rather than 仄韵 古诗."""
    lines = split_lines(text)
    return all(scorer.book.level_groups(lines[i][-1]) for i in range(1, len(lines), 2))


def measure(poems: list[str], seed: int = 0) -> dict:
    lenient, strict = Scorer(), Scorer(strict=True)
    rng = random.Random(seed)
    rows = defaultdict(lambda: defaultdict(int))
    records = lenient.score_many(poems)
    stricter = strict.score_many(poems)
    controls = lenient.score_many([shuffle_characters(text, rng) for text in poems])
    simplified_text = [to_simplified(text) for text in poems]
    simplified = lenient.score_many(simplified_text)
    peer = peer_checker()
    for text, simple_text, record, strict_record, control, simple in zip(
            poems, simplified_text, records, stricter, controls, simplified):
        shape = record["form"]
        if shape not in SHAPES:
            continue
        for group in (shape, "all") + (("ping-rhymed",) if ping_rhymed(text, lenient) else ()):
            row = rows[group]
            row["n"] += 1
            row["tone"] += record["tone_ok"] is True
            row["rhyme"] += record["rhyme_ok"] is True
            row["both"] += bool(record["tone_ok"] and record["rhyme_ok"])
            row["strict_tone"] += strict_record["tone_ok"] is True
            row["shuffled_tone"] += control["tone_ok"] is True
            row["shuffled_rhyme"] += control["rhyme_ok"] is True
            row["shuffled_both"] += bool(control["tone_ok"] and control["rhyme_ok"])
            row["same_verdict"] += (simple["tone_ok"], simple["rhyme_ok"]) == (record["tone_ok"], record["rhyme_ok"])
            row["peer_tone_trad"] += peer_meter_ok(peer, text)
            row["peer_tone_simp"] += peer_meter_ok(peer, simple_text)
    return {group: {k: (v if k == "n" else v / row["n"]) for k, v in row.items()} for group, row in rows.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("--every", type=int, default=1, help="take every K-th poem (default: all)")
    args = parser.parse_args()
    rates = measure(load_tang(args.corpus, args.every))
    columns = ("n", "tone", "rhyme", "both", "strict_tone", "shuffled_tone", "shuffled_rhyme", "shuffled_both",
               "same_verdict", "peer_tone_trad", "peer_tone_simp")
    print("| shape | " + " | ".join(columns) + " |")
    print("|" + "---|" * (len(columns) + 1))
    for group in SHAPES + ("ping-rhymed", "all"):
        row = rates.get(group)
        if row:
            print(f"| {group} | " + " | ".join(str(row[c]) if c == "n" else f"{row[c]:.1%}" for c in columns) + " |")


if __name__ == "__main__":
    main()
