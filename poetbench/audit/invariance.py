"""Extraction invariance: the same poem in a chat wrapper must score as the bare poem.

Takes the 全唐诗 poems the classical lexicon left out (every 20th; those with the corpus's own
bracketed editorial notes, quotation marks, □ for a lost character or {…} for a composed one
are left out, and so are one-line fragments), in Traditional as the corpus has them and in
Simplified (OpenCC), wraps each in every style of ``audit/wrappers.py`` (or of
``audit/wrappers_blind.py``, written without sight of the extractor's rules and never used to
tune them) and scores bare and wrapped alike. A wrapped reply is *invariant* when it gives the
bare poem's lines, form, ``tone_ok``, ``rhyme_ok`` and ``classical_ratio``. ``mixed_failures``
checks the hand-written mixed set (``audit/wrappers_mixed.py``: nested wrappers, drafts, no
poem at all). ``bench/invariance.py`` prints the figures; the tests assert them.
"""

from __future__ import annotations

import re
from pathlib import Path

from poetbench.audit.wrappers import WRAPPERS
from poetbench.audit.wrappers_mixed import MIXED
from poetbench.data.chinese_poetry import iter_tang
from poetbench.data.discovery import find_corpus
from poetbench.scoring import Scorer
from poetbench.text.extract import extract_poem
from poetbench.text.lines import split_lines
from poetbench.text.script import to_simplified

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
