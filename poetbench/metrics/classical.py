"""Classical diction: ``classical_ratio`` and ``vernacular_markers``.

``classical_ratio`` (0-1) is the share of a poem's Han characters that belong to classical
poetic diction: the character itself, or a bigram it forms with a neighbour on its line, is in
the lexicon ``resources/lexicon-v1.tsv.gz`` — items at least twice as frequent in 全唐诗 and
classical prose as in modern usage (jieba's dictionary). ``tools/build_lexicon.py`` builds it;
the README gives the method and its limits.

``vernacular_markers`` counts occurrences of modern function words and particles
(``VERNACULAR_MARKERS``). Both work on the Simplified form of the text.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from poetbench import cache
from poetbench.lookup import BITS, HashSet
from poetbench.metrics.context import Poems
from poetbench.text.batch import TextBatch

VOCAB_VERSION = "v1"
LEXICON = Path(__file__).resolve().parents[1] / "resources" / f"lexicon-{VOCAB_VERSION}.tsv.gz"

# Modern function words and particles that classical verse does not use (rule-based, counted
# wherever they occur; the longest match wins, so 我们 counts once, not as 我 + 们).
VERNACULAR_MARKERS = (
    "的", "了", "吗", "呢", "吧", "啊", "呀", "嘛", "哦",
    "我们", "你们", "他们", "她们", "咱们", "它们",
    "这个", "那个", "这些", "那些", "这样", "那样", "这里", "那里", "怎么", "什么", "为什么",
    "因为", "所以", "但是", "可是", "而且", "然后", "如果", "虽然", "还是", "或者",
    "非常", "特别", "觉得", "认为", "就是", "已经", "没有", "不要", "一起", "现在", "今天",
    "明天", "昨天", "大家", "自己", "一下", "真的", "可以", "知道", "喜欢",
    "每天", "最近", "比较", "只要", "还要", "东西", "时候", "这么", "那么", "目前", "一点",
)
_MARKER_RE = re.compile("|".join(sorted(VERNACULAR_MARKERS, key=len, reverse=True)))


@cache.storable
class Lexicon:
    """The classical lexicon as lookup tables: a flag per code point, sorted bigram keys."""

    def __init__(self, path: Path = LEXICON):
        chars, pairs = [], []
        with gzip.open(path, "rt", encoding="utf-8") as stream:
            for row in stream:
                if not row.startswith("#"):
                    item = row.split("\t", 1)[0]
                    (chars if len(item) == 1 else pairs).append(item)
        self.char = np.zeros(0x32000, dtype=bool)
        self.char[[ord(c) for c in chars]] = True
        self.pairs = HashSet(np.array([(ord(a) << int(BITS)) | ord(b) for a, b in pairs], dtype=np.uint64))


@lru_cache(maxsize=None)
def lexicon() -> Lexicon:
    return cache.cached(f"lexicon-{VOCAB_VERSION}", cache.fingerprint([LEXICON, Path(__file__)], ["numpy"]), Lexicon)


def classical_ratios(batch: TextBatch) -> list[float | None]:
    """``classical_ratio`` of each poem of a batch of Simplified lines; None without Han."""
    lex = lexicon()
    points = batch.points
    codes = np.minimum(points, len(lex.char) - 1)
    han = ((points >= 0x3400) & (points <= 0x9FFF)) | ((points >= 0x20000) & (points <= 0x3134F))
    single = lex.char[codes]
    pair = np.zeros(len(points) + 1, dtype=bool)  # pair[k]: the bigram starting at k is classical
    if len(points) > 1:
        # Only a bigram with a character not classical on its own can change the answer.
        ask = np.flatnonzero(han[:-1] & han[1:] & ~(single[:-1] & single[1:]))
        pair[ask] = lex.pairs.contains((codes[ask] << BITS) | codes[ask + 1])
    classical = han & (single | pair[:-1] | np.concatenate(([False], pair[:-2])))
    n_han = batch.per_poem(han)
    ratio = batch.per_poem(classical) / np.maximum(n_han, 1)
    return [r if n else None for r, n in zip(ratio.tolist(), n_han.tolist())]


def vernacular_markers(text: str) -> int:
    """How many modern function words and particles a Simplified text holds."""
    return len(_MARKER_RE.findall(text))


def measure(poems: Poems) -> dict[str, list]:
    """``classical_ratio`` and ``vernacular_markers``, on the Simplified lines."""
    batch = poems.simplified
    return {"classical_ratio": classical_ratios(batch),
            "vernacular_markers": [vernacular_markers("\n".join(poem)) for poem in batch.poems]}
