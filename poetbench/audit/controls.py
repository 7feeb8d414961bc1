"""Control texts for validating metrics: a metric that cannot tell a poem from these is broken.

Every control keeps the real poem's shape (its number of lines and their lengths), so that a
metric which rewards shape alone cannot tell them apart. ``poetbench audit`` builds one of each
from every real held-out poem (``audit/__init__.py``):

* ``char_shuffle``: the poem's own characters in random order.
* ``tone_salad``: every character replaced by a random character of the same 平仄 class, drawn
  by corpus frequency; the characters at the rhyme positions (the end of line 1 and of every
  even line) are kept. It has the real poem's tones and rhymes and no sense.
* ``line_shuffle``: line i taken from another real poem of the same form, at the same
  position, each line from a different poem.
* ``line_shuffle_rhymed``: the same, with the rhyming lines taken from poems of the same rhyme
  group, so the rhyme holds.
* ``vernacular``: modern prose (``resources/vernacular-v1.txt``, written for the project), its
  Han characters cut into the poem's line lengths.
* ``cento`` (集句): lines of training-corpus poems of the same form, verbatim, rhyme kept.
* ``loop``: the degenerate output of a model stuck in a loop: one line repeated, one couplet
  repeated, or a two-character cycle filling the shape.
* ``chat_wrapped``: the real poem inside a chat reply (``audit/wrappers.py``); it must score like
  the bare poem.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from poetbench.text.lines import join, split_lines

VERNACULAR_TEXT = Path(__file__).resolve().parents[1] / "resources" / "vernacular-v1.txt"
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass(frozen=True)
class Donor:
    """A real poem that lends its lines: its lines, form and rhyme group (None: no rhyme)."""

    lines: tuple[str, ...]
    form: str
    rhyme_group: str | None


def rhyme_positions(n_lines: int) -> list[int]:
    """Indices of the lines whose last character rhymes in regulated verse: 1 and every even line."""
    return [0] + list(range(1, n_lines, 2))


def shuffle_characters(text: str, rng: random.Random) -> str:
    """The poem's characters in random order, each line keeping its length."""
    out = shuffle_among_lines(split_lines(text), rng)
    return "，".join(out) + "。" if out else ""


def shuffle_among_lines(lines: list[str], rng: random.Random) -> list[str]:
    """The characters of ``lines`` shuffled among them, each line keeping its length."""
    chars = [c for line in lines for c in line]
    rng.shuffle(chars)
    out, start = [], 0
    for line in lines:
        out.append("".join(chars[start:start + len(line)]))
        start += len(line)
    return out


def tone_salad(lines: list[str], codes: list[str], pools: dict[str, tuple[list[str], list[float]]],
               rng: random.Random) -> str:
    """Every character replaced by one of the same tone code (``pools[code]``: characters and
    weights), the rhyme positions kept; a character whose code has no pool stays."""
    keep = set(rhyme_positions(len(lines)))
    out = []
    for i, (line, code) in enumerate(zip(lines, codes)):
        chars = []
        for k, (char, tone) in enumerate(zip(line, code)):
            pool = pools.get(tone)
            if (i in keep and k == len(line) - 1) or not pool:
                chars.append(char)
            else:
                chars.append(rng.choices(pool[0], pool[1])[0])
        out.append("".join(chars))
    return join(out)


def by_shape(donors: list[Donor]) -> dict[tuple[str, int], list[Donor]]:
    """Donors grouped by (form, line count), in their order: what ``line_shuffle`` draws from."""
    groups: dict[tuple[str, int], list[Donor]] = {}
    for donor in donors:
        groups.setdefault((donor.form, len(donor.lines)), []).append(donor)
    return groups


def line_shuffle(poem: Donor, donors: dict[tuple[str, int], list[Donor]], rng: random.Random,
                 rhymed: bool) -> str | None:
    """Line i from a different donor of the same form and line count (``donors``: ``by_shape``);
    with ``rhymed``, the rhyming lines from donors of the poem's rhyme group. None when there are
    too few donors."""
    same = [d for d in donors.get((poem.form, len(poem.lines)), []) if d.lines != poem.lines]
    rhyming = [d for d in same if d.rhyme_group == poem.rhyme_group] if rhymed and poem.rhyme_group else same
    need = set(rhyme_positions(len(poem.lines))) if rhymed else set()
    if len(same) < len(poem.lines) or (rhymed and len(rhyming) < len(need)):
        return None
    used: set[int] = set()
    out = []
    for i in range(len(poem.lines)):
        pool = rhyming if i in need else same
        for _ in range(50):
            donor = rng.randrange(len(pool))
            if id(pool[donor]) not in used:
                break
        used.add(id(pool[donor]))
        out.append(pool[donor].lines[i])
    return join(out)


@lru_cache(maxsize=1)
def vernacular_characters() -> str:
    """The Han characters of the vernacular prose, in order."""
    text = "\n".join(line for line in VERNACULAR_TEXT.read_text(encoding="utf-8").splitlines()
                     if not line.startswith("#"))
    return "".join(_HAN.findall(text))


def vernacular(lines: list[str], rng: random.Random) -> str:
    """A random stretch of modern prose, cut into the poem's line lengths."""
    chars = vernacular_characters()
    need = sum(map(len, lines))
    start = rng.randrange(len(chars) - need)
    out = []
    for line in lines:
        out.append(chars[start:start + len(line)])
        start += len(line)
    return join(out)


def loop(lines: list[str], variant: int) -> str:
    """A looping output in the poem's shape: 0 the first line repeated, 1 the first couplet
    repeated, 2 the first two characters cycled through every line."""
    if variant == 0:
        return join([lines[0]] * len(lines))
    if variant == 1:
        return join([lines[i % 2] for i in range(len(lines))])
    cycle = lines[0][:2]
    return join([(cycle * len(line))[:len(line)] for line in lines])
