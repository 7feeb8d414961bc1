"""Chatter: assistant talk around the poem (the seed project's "dialogue inertia").

``chatter`` is true when extraction removed a preamble (好的，以下是…), commentary (这首诗描写了…,
希望你喜欢), or bracketed notes, or when the output holds no verse at all but talks (a refusal
such as 作为一个AI…). A title alone is not chatter.
"""

from __future__ import annotations

from poetbench.text.extract import Extraction


def chatter(extraction: Extraction) -> bool:
    removed = extraction.removed
    if removed.get("preamble") or removed.get("commentary") or removed.get("notes"):
        return True
    return not extraction.lines and bool(extraction.raw.strip())
