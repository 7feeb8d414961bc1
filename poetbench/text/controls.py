"""Control texts for validating metrics: a metric that cannot tell a poem from these is broken."""

from __future__ import annotations

import random

from poetbench.text.lines import split_lines


def shuffle_characters(text: str, rng: random.Random) -> str:
    """The poem's characters in random order, each line keeping its length."""
    lines = split_lines(text)
    chars = [c for line in lines for c in line]
    rng.shuffle(chars)
    out, start = [], 0
    for line in lines:
        out.append("".join(chars[start:start + len(line)]))
        start += len(line)
    return "，".join(out) + "。" if out else ""
