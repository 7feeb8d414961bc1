"""Extraction invariance (README figures): the same poem in a chat wrapper must score as the bare poem.

    python bench/invariance.py [--corpus DIR] [--every 20] [--markdown]

Takes the 全唐诗 poems the classical lexicon left out (every 20th; those with the corpus's own
bracketed editorial notes, quotation marks, □ for a lost character or {…} for a composed one
are left out, and so are one-line fragments), in Traditional as the corpus has
them and in Simplified (OpenCC), wraps each in every style of ``tests/wrappers.py`` and
scores bare and wrapped alike (``--blind``: the 12 styles of ``tests/wrappers_blind.py``, written
without sight of the extractor's rules and never used to tune them). A wrapped reply is *invariant* when it gives the bare poem's
lines, form, ``tone_ok``, ``rhyme_ok`` and ``classical_ratio``. Prints the rate per wrapper, then
the hand-written mixed set (``MIXED``: nested wrappers, drafts, no poem at all).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
from wrappers import MIXED, WRAPPERS  # noqa: E402
from wrappers_blind import BLIND  # noqa: E402

from poetbench.data.chinese_poetry import iter_tang  # noqa: E402
from poetbench.data.discovery import find_corpus  # noqa: E402
from poetbench.scoring import Scorer  # noqa: E402
from poetbench.text.extract import extract_poem  # noqa: E402
from poetbench.text.lines import split_lines  # noqa: E402
from poetbench.text.script import to_simplified  # noqa: E402

_NOTES_RE = re.compile(r"[（(【〔\[「『□{]")  # the corpus's notes, quotations, lost (□) and composed ({…}) characters
COMPARED = ("n_lines", "line_lengths", "form", "tone_ok", "rhyme_ok", "classical_ratio")


def held_out(corpus: Path | None = None, every: int = 20) -> list[tuple[str, str, bool]]:
    """``(title, poem, traditional)`` for every ``every``-th 全唐诗 poem, in both scripts."""
    poems = [(p["title"], "".join(p["paragraphs"])) for p in iter_tang(find_corpus(corpus))][::every]
    poems = [(title, text) for title, text in poems if len(split_lines(text)) >= 2 and not _NOTES_RE.search(text)]
    return [(t, p, True) for t, p in poems] + [(to_simplified(t), to_simplified(p), False) for t, p in poems]


def same(bare: dict, wrapped: dict, bare_lines: list[str], wrapped_lines: list[str]) -> bool:
    return bare_lines == wrapped_lines and all(bare[k] == wrapped[k] for k in COMPARED)


def invariance(poems: list[tuple[str, str, bool]], scorer: Scorer | None = None,
               wrappers: dict | None = None) -> dict[str, tuple[int, int]]:
    """``{wrapper: (replies, invariant replies)}`` over ``poems`` (default wrappers: ``WRAPPERS``)."""
    scorer = scorer or Scorer()
    texts = [poem for _, poem, _ in poems]
    bare = scorer.score_many(texts)
    bare_lines = [extract_poem(t).lines for t in texts]
    out = {}
    for name, wrap in (wrappers or WRAPPERS).items():
        replies = [wrap(poem, title, trad) for title, poem, trad in poems]
        wrapped = scorer.score_many(replies)
        hits = sum(same(b, w, bl, extract_poem(r).lines) for b, w, bl, r in zip(bare, wrapped, bare_lines, replies))
        out[name] = (len(replies), hits)
    return out


def mixed_failures() -> list[str]:
    """The names of the mixed cases whose lines or required warnings extraction gets wrong."""
    failures = []
    for case in MIXED:
        got = extract_poem(case.raw)
        want = case.lines or []
        if got.lines != want or not case.warnings <= set(got.warnings):
            failures.append(case.name)
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--every", type=int, default=20)
    parser.add_argument("--markdown", action="store_true", help="print the README table")
    parser.add_argument("--blind", action="store_true",
                        help="the blind styles of tests/wrappers_blind.py, written apart from the extractor's rules")
    args = parser.parse_args()
    poems = held_out(args.corpus, args.every)
    start = time.perf_counter()
    rates = invariance(poems, wrappers=BLIND if args.blind else WRAPPERS)
    seconds = time.perf_counter() - start
    total = sum(n for n, _ in rates.values())
    hits = sum(h for _, h in rates.values())
    if args.markdown:
        print("| wrapper | replies | invariant |\n|---|---|---|")
        for name, (n, h) in rates.items():
            print(f"| `{name}` | {n} | {100 * h / n:.2f}% |")
        print(f"| all {len(rates)} wrappers | {total} | {100 * hits / total:.2f}% |")
    else:
        print(f"held-out poems: {len(poems) // 2} × 2 scripts; {len(rates)} wrappers; {total} replies in {seconds:.0f} s")
        for name, (n, h) in rates.items():
            print(f"  {name:<24} {100 * h / n:7.2f}%  ({n - h} differ)")
        print(f"  {'all':<24} {100 * hits / total:7.2f}%")
    failures = mixed_failures()
    print(f"mixed set: {len(MIXED) - len(failures)} of {len(MIXED)} right" + (f"; wrong: {', '.join(failures)}" if failures else ""))


if __name__ == "__main__":
    main()
