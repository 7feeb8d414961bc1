"""Modern Mandarin readings from pypinyin: tones, finals, and readings of words in context."""

from __future__ import annotations

from functools import lru_cache

from pypinyin.constants import PHRASES_DICT, PINYIN_DICT
from pypinyin.contrib.tone_convert import to_finals, to_initials, to_normal

from poetbench.phonology.tables import CLASSICAL_WORDS, TONE_MARKS
from poetbench.text.script import to_traditional

# Tone classes used across poetbench: 平, 仄, either (undecided), unknown.
PING, ZE, EITHER, UNKNOWN = "P", "Z", "A", "?"
MAX_PHRASE = 4  # longest word looked up around an undecided character


@lru_cache(maxsize=None)
def reading_tone(reading: str) -> int:
    """Tone number of one pypinyin reading with tone marks: 1-4, or 5 for the neutral tone."""
    for ch in reading:
        tone = TONE_MARKS.get(ch)
        if tone:
            return tone
    return 5


def tone_class(tone: int) -> str:
    """中华新韵 rule: tones 1 and 2 are 平, 3 and 4 are 仄, the neutral tone is unknown."""
    return PING if tone in (1, 2) else ZE if tone in (3, 4) else UNKNOWN


@lru_cache(maxsize=None)
def modern_classes() -> tuple[dict[str, str], dict[str, str]]:
    """Two tables over every character pypinyin knows.

    ``classes``: P or Z when all its toned readings agree, A when they disagree.
    ``default``: the class of its first (most common) toned reading, used when no word
    around the character decides. Characters with only a neutral-tone reading are absent.
    """
    classes: dict[str, str] = {}
    default: dict[str, str] = {}
    for code, readings in PINYIN_DICT.items():
        toned = [c for c in (tone_class(reading_tone(r)) for r in readings.split(",")) if c != UNKNOWN]
        if toned:
            char = chr(code)
            classes[char] = toned[0] if len(set(toned)) == 1 else EITHER
            default[char] = toned[0]
    return classes, default


class WordTones:
    """pypinyin's phrase table (2-4 character words), indexed in Simplified and Traditional.

    ``tone(line, i)`` gives the modern tone of ``line[i]`` inside the longest word that covers
    it (leftmost on ties), or ``None`` when no word does. Two-character words, the common case,
    are answered from a bigram table; longer windows are tried only where a bigram says a longer
    word can start or continue there.
    """

    def __init__(self, overrides: dict[str, str] | None = None):
        """``overrides``: word -> tone codes (P, Z, or A for "no say") read before pypinyin's."""
        words = [w for w, r in PHRASES_DICT.items() if 2 <= len(w) <= MAX_PHRASE and len(r) == len(w)]
        traditional = to_traditional("\n".join(words)).split("\n")
        self.tones: dict[str, tuple[int | None, ...]] = {}
        for word, codes in (overrides or {}).items():
            self.tones[word] = tuple({PING: 1, ZE: 4}.get(code) for code in codes)
        for word, trad in zip(words, traditional if len(traditional) == len(words) else words):
            tones = tuple(reading_tone(r[0]) for r in PHRASES_DICT[word])
            self.tones.setdefault(word, tones)
            if len(trad) == len(word):
                self.tones.setdefault(trad, tones)
        self.in_long = {w[k:k + 2] for w in self.tones if len(w) > 2 for k in range(len(w) - 1)}

    def tone(self, line: str, i: int) -> int | None:
        left, right = line[i - 1:i + 1] if i else "", line[i:i + 2]
        if left in self.in_long or right in self.in_long:
            return self._longest(line, i)
        word = self.tones.get(left)
        if word:
            return word[1]
        word = self.tones.get(right)
        return word[0] if word else None

    def _longest(self, line: str, i: int) -> int | None:
        for start, end in _windows(len(line), i):
            word = self.tones.get(line[start:end])
            if word:
                return word[i - start]
        return None


@lru_cache(maxsize=None)
def _windows(length: int, index: int) -> tuple[tuple[int, int], ...]:
    """(start, end) of every word window covering ``index``, longest first, then leftmost."""
    return tuple((start, start + size) for size in range(MAX_PHRASE, 1, -1)
                 for start in range(max(0, index - size + 1), min(index, length - size) + 1))


@lru_cache(maxsize=None)
def word_tones(classical: bool) -> WordTones:
    """The word table; ``classical`` puts the classical readings of ``CLASSICAL_WORDS`` first."""
    return WordTones(CLASSICAL_WORDS if classical else None)


@lru_cache(maxsize=None)
def level_finals(char: str) -> tuple[tuple[str, str], ...]:
    """(initial, final) of each 平 (tone 1 or 2) reading of ``char``, strict finals, ü as v."""
    out = []
    for reading in PINYIN_DICT.get(ord(char), "").split(","):
        if reading and tone_class(reading_tone(reading)) == PING:
            plain = to_normal(reading)
            out.append((to_initials(plain, strict=True), to_finals(plain, strict=True, v_to_u=False)))
    return tuple(dict.fromkeys(out))
