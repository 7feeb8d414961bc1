"""Chatter: assistant talk around the poem (the seed project's "dialogue inertia").

``chatter`` is true when extraction dropped a preamble (好的，以下是…：, 您好！), commentary (这首诗描写了…,
注：…, 希望你喜欢, 如需修改请告诉我, 需要我再写一首吗？) or bracketed notes, or when the output holds
no verse at all but talks, which extraction drops as preamble (a refusal such as 作为一个AI…, an apology, a clarifying question such as
请问您想要五言还是七言？). The phrases are in ``text/talk.py``. Markup is not chatter: a title, a code
fence, bold or a heading alone leave it false, and so does a ``<think>`` block (reasoning is the
model's mode, not talk to the reader).
"""

from __future__ import annotations

from poetbench.metrics.context import Poems
from poetbench.text.extract import Extraction

TALK = ("preamble", "commentary", "notes")


def chatter(extraction: Extraction) -> bool:
    return any(piece.kind in TALK for piece in extraction.dropped)


def measure(poems: Poems) -> dict[str, list]:
    return {"chatter": list(map(chatter, poems.extractions))}
