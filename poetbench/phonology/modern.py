"""Modern Mandarin readings from pypinyin: tones, finals, and readings of words in context."""

from __future__ import annotations

import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cache
from poetbench.lookup import BITS, member
from poetbench.phonology.tables import CLASSICAL_WORDS, TONE_MARKS
from poetbench.text.script import chars_to_traditional, to_traditional

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


_LEVEL = (0, 1, 1, 2, 2, 0)  # tone 0-5 -> 0 none, 1 平, 2 仄


def _level(tones: np.ndarray) -> np.ndarray:
    """1 for tones 1-2 (平), 2 for 3-4 (仄), 0 for none."""
    return np.where((tones == 1) | (tones == 2), 1, np.where((tones == 3) | (tones == 4), 2, 0))


def _key(chars: str) -> int:
    """A short string as one integer: code points side by side, BITS each."""
    key = 0
    for ch in chars:
        key = (key << int(BITS)) | ord(ch)
    return key


@cache.storable
class WordTones:
    """pypinyin's phrase table (2-4 character words), indexed in Simplified and Traditional.

    ``tones_at`` gives the modern tone of each character at ``positions`` inside the word that
    covers it, or 0 where no word does. Two-character words, the common case, are looked up for
    all positions at once in sorted integer keys. The rare position where a longer word may cover
    it (one of its three trigrams occurs in a longer word) takes the longest such word.

    Where two words of one length cover a character and disagree (见长安: 见长 zhǎng, 长安
    cháng), jieba's segmentation decides: the word its model prefers over the characters the two
    cover (jieba scores a segmentation by the product of its words' dictionary frequencies, and
    both candidate segmentations have as many words), here 见/长安 over 见长/安. A word missing
    from jieba's dictionary is never its choice; when neither is there, the character stays
    undecided. The frequencies are read from jieba's ``dict.txt`` when the table is built (and
    cached with it): starting jieba itself takes 1.5 s, longer than scoring all of 全唐诗.
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
        self.frequencies = _jieba_frequencies(dict(zip(words, traditional if len(traditional) == len(words) else words)))

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
        left_tone, right_tone = self._pair_tones[left_index, 1], self._pair_tones[right_index, 0]
        tones = np.where(left, left_tone, np.where(right, right_tone, 0))
        disagree = left & right & ~longer & (_level(left_tone) != _level(right_tone))
        for k in np.flatnonzero(disagree):
            i = int(positions[k])
            tones[k] = self._jieba_choice(text, i, [i - 1, i], 2)
        for k in np.flatnonzero(longer):
            tones[k] = self._longest(text, int(positions[k]))
        return tones

    def _jieba_choice(self, text: str, i: int, starts: list[int], size: int) -> int:
        """The tone of ``text[i]`` in the word (``size`` long, at one of ``starts``) that jieba's
        model prefers over the characters they cover together; 0 if jieba knows none of them."""
        low, high = min(starts), max(starts) + size
        best, best_score = 0, -math.inf
        for start in starts:
            word = text[start:start + size]
            if word not in self.frequencies:
                continue
            rest = text[low:start] + text[start + size:high]
            score = math.log(self.frequencies[word]) + sum(math.log(self.frequencies.get(c, 1)) for c in rest)
            if score > best_score:
                best, best_score = self.tones[word][i - start], score
        return best

    def _longest(self, text: str, i: int) -> int:
        """The tone of ``text[i]`` in the longest word covering it (jieba's choice between words
        of that length that disagree); 0 when no word covers it."""
        for size in range(MAX_PHRASE, 1, -1):
            starts = [start for start in range(max(0, i - size + 1), min(i, len(text) - size) + 1)
                      if text[start:start + size] in self.tones]
            found = [self.tones[text[start:start + size]][i - start] for start in starts]
            if len({_LEVEL[tone] for tone in found} - {0}) > 1:
                return self._jieba_choice(text, i, starts, size)
            if found:
                return found[0]
        return 0


def _jieba_frequencies(words: dict[str, str]) -> dict[str, int]:
    """jieba's dictionary frequency of each of ``words`` (Simplified -> Traditional form; both
    forms are keys) and of every single character jieba lists (in both scripts)."""
    import jieba

    counts: dict[str, int] = {}
    with open(Path(jieba.__file__).parent / "dict.txt", encoding="utf-8") as stream:
        for line in stream:
            word, count = line.split(" ", 2)[:2]
            if len(word) == 1 or word in words:
                counts[word] = int(count)
    out = {}
    for word, trad in words.items():
        if word in counts:
            out[word] = out[trad] = counts[word]
    singles = [w for w in counts if len(w) == 1]
    for char, trad in zip(singles, chars_to_traditional(singles)):
        out[char] = counts[char]
        if len(trad) == 1:
            out.setdefault(trad, counts[char])
    return out


@lru_cache(maxsize=None)
def word_tones(classical: bool) -> WordTones:
    """The word table; ``classical`` puts the classical readings of ``CLASSICAL_WORDS`` first."""
    return WordTones(CLASSICAL_WORDS if classical else None)


def level_finals(char: str) -> tuple[tuple[str, str], ...]:
    """(initial, final) of each 平 (tone 1 or 2) reading of ``char``, strict finals, ü as v."""
    return finals(char, level_only=True)


def finals(char: str, level_only: bool = False) -> tuple[tuple[str, str], ...]:
    """(initial, final) of each reading of ``char`` (only the 平 ones with ``level_only``), strict
    finals, ü as v."""
    from pypinyin.constants import PINYIN_DICT
    from pypinyin.contrib.tone_convert import to_finals, to_initials, to_normal

    out = []
    for reading in PINYIN_DICT.get(ord(char), "").split(","):
        if reading and (not level_only or tone_class(reading_tone(reading)) == PING):
            plain = to_normal(reading)
            out.append((to_initials(plain, strict=True), to_finals(plain, strict=True, v_to_u=False)))
    return tuple(dict.fromkeys(out))
