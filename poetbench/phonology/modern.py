"""Modern Mandarin readings from pypinyin: tones, finals, and readings of words in context."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from poetbench.lookup import BITS, member
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
    from pypinyin.constants import PINYIN_DICT

    classes: dict[str, str] = {}
    default: dict[str, str] = {}
    for code, readings in PINYIN_DICT.items():
        toned = [c for c in (tone_class(reading_tone(r)) for r in readings.split(",")) if c != UNKNOWN]
        if toned:
            char = chr(code)
            classes[char] = toned[0] if len(set(toned)) == 1 else EITHER
            default[char] = toned[0]
    return classes, default


def _key(chars: str) -> int:
    """A short string as one integer: code points side by side, BITS each."""
    key = 0
    for ch in chars:
        key = (key << int(BITS)) | ord(ch)
    return key


class WordTones:
    """pypinyin's phrase table (2-4 character words), indexed in Simplified and Traditional.

    ``tones_at`` gives the modern tone of each character at ``positions`` inside the longest
    word that covers it (leftmost on ties), or 0 where no word does. Two-character words, the
    common case, are looked up for all positions at once in sorted integer keys; the rare
    position where a longer word may cover it (one of its three trigrams occurs in a longer
    word) is settled one by one.
    """

    def __init__(self, overrides: dict[str, str] | None = None):
        """``overrides``: word -> tone codes (P, Z, or A for "no say") read before pypinyin's."""
        from pypinyin.constants import PHRASES_DICT

        words = [w for w, r in PHRASES_DICT.items() if 2 <= len(w) <= MAX_PHRASE and len(r) == len(w)]
        traditional = to_traditional("\n".join(words)).split("\n")
        self.tones: dict[str, tuple[int, ...]] = {}  # word -> tone of each character, 0 for no say
        for word, codes in (overrides or {}).items():
            self.tones[word] = tuple({PING: 1, ZE: 4}.get(code, 0) for code in codes)
        for word, trad in zip(words, traditional if len(traditional) == len(words) else words):
            tones = tuple(reading_tone(r[0]) for r in PHRASES_DICT[word])
            self.tones.setdefault(word, tones)
            if len(trad) == len(word):
                self.tones.setdefault(trad, tones)
        pairs = sorted((_key(w), t) for w, t in self.tones.items() if len(w) == 2)
        self._pair_keys = np.array([k for k, _ in pairs], dtype=np.uint64)
        self._pair_tones = np.array([t for _, t in pairs], dtype=np.int8)
        trigrams = {_key(w[k:k + 3]) for w in self.tones if len(w) > 2 for k in range(len(w) - 2)}
        self._trigram_keys = np.array(sorted(trigrams), dtype=np.uint64)

    def tones_at(self, text: str, points: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """Tone (1-5, or 0: no word) of ``text[i]`` for each i in ``positions``.

        ``points`` holds the code points of ``text``. Words never contain a line break, so no
        word spans two lines.
        """
        n = len(points)

        def around(offset: int) -> np.ndarray:  # code points at positions + offset, 0 off the text
            index = positions + offset
            inside = (index >= 0) & (index < n)
            return np.where(inside, points[np.clip(index, 0, max(n - 1, 0))], 0).astype(np.uint64)

        before2, before, here, after, after2 = (around(k) for k in (-2, -1, 0, 1, 2))
        longer = np.zeros(len(positions), dtype=bool)
        for a, b, c in ((before2, before, here), (before, here, after), (here, after, after2)):
            longer |= member(self._trigram_keys, (a << BITS << BITS) | (b << BITS) | c)[0]
        left, left_index = member(self._pair_keys, (before << BITS) | here)
        right, right_index = member(self._pair_keys, (here << BITS) | after)
        tones = np.where(left, self._pair_tones[left_index, 1], np.where(right, self._pair_tones[right_index, 0], 0))
        for k in np.flatnonzero(longer):
            tones[k] = self._longest(text, int(positions[k]))
        return tones

    def _longest(self, text: str, i: int) -> int:
        """The tone of ``text[i]`` in the longest word covering it (then the leftmost), else 0."""
        for size in range(MAX_PHRASE, 1, -1):
            for start in range(max(0, i - size + 1), min(i, len(text) - size) + 1):
                word = self.tones.get(text[start:start + size])
                if word:
                    return word[i - start]
        return 0


@lru_cache(maxsize=None)
def word_tones(classical: bool) -> WordTones:
    """The word table; ``classical`` puts the classical readings of ``CLASSICAL_WORDS`` first."""
    return WordTones(CLASSICAL_WORDS if classical else None)


def level_finals(char: str) -> tuple[tuple[str, str], ...]:
    """(initial, final) of each 平 (tone 1 or 2) reading of ``char``, strict finals, ü as v."""
    from pypinyin.constants import PINYIN_DICT
    from pypinyin.contrib.tone_convert import to_finals, to_initials, to_normal

    out = []
    for reading in PINYIN_DICT.get(ord(char), "").split(","):
        if reading and tone_class(reading_tone(reading)) == PING:
            plain = to_normal(reading)
            out.append((to_initials(plain, strict=True), to_finals(plain, strict=True, v_to_u=False)))
    return tuple(dict.fromkeys(out))
