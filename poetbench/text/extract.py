"""Find the poem inside a model's raw output.

Chat models wrap poems in talk: ``好的，以下是一首七言绝句：《春晓》…希望你喜欢！``. The
extractor keeps the verse and drops, while recording, four kinds of wrapping:

* ``preamble``   assistant talk before the poem (好的、以下是…：, Sure, here is…)
* ``title``      a title line (《…》, 题：…, 标题：…) or an author line (作者：…, ——李白)
* ``commentary`` talk after the poem (这首诗描写了…, 注释：…, 希望你喜欢, a line without Chinese)
                 and all that follows it
* ``notes``      bracketed notes inside the text: （…）, (…), 【…】, [...], 〔…〕

The marker lists below are written in Simplified characters; their Traditional forms are
derived through OpenCC when the module loads, so both scripts are recognised.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from poetbench.text.lines import han_count, split_lines
from poetbench.text.script import to_traditional

EXTRACT_VERSION = "v1"

# Phrases that mark assistant talk before the poem.
PREAMBLE_MARKERS = (
    "好的", "好吧", "当然", "没问题", "可以", "以下是", "以下为", "下面是", "下面为", "这是我",
    "这是一首", "为您", "为你", "给您", "给你", "我来", "我为", "我将", "我写", "请欣赏", "请看",
    "如下", "作为一个", "作为AI", "作为一名", "根据您", "根据你", "Sure", "sure", "Here", "here",
    "OK", "Okay", "okay",
)
# Phrases that open commentary after the poem; everything from there on is commentary.
COMMENTARY_MARKERS = (
    "这首诗", "此诗", "本诗", "全诗", "该诗", "注：", "注:", "注释", "注解", "赏析", "译文", "解析",
    "翻译", "说明", "创作背景", "希望", "如果您", "如果你", "如需", "这是一首", "Note", "note", "This poem",
    "I hope", "Hope you", "Enjoy",
)
# Weaker openers that a verse line could also start with: commentary only when not verse-shaped.
WEAK_COMMENTARY_MARKERS = ("这首", "诗中", "诗人", "以上", "整首", "总的来说", "总之", "其中")
TITLE_PREFIXES = ("题目", "标题", "诗题", "题", "诗名", "作者", "朝代")


def _both_scripts(words: tuple[str, ...]) -> set[str]:
    return set(words) | {to_traditional(w) for w in words}


def _alternation(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(_both_scripts(words), key=len, reverse=True))


def _trie(words: set[str]) -> str:
    """A regex matching any of ``words``, shared prefixes factored out (much faster to search)."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return build(tree)


_PREAMBLE_RE = re.compile(_alternation(PREAMBLE_MARKERS))
_COMMENTARY_RE = re.compile(r"^\s*(?:" + _alternation(COMMENTARY_MARKERS) + ")")
_WEAK_COMMENTARY_RE = re.compile(r"^\s*(?:" + _alternation(WEAK_COMMENTARY_MARKERS) + ")")
_TITLE_LINE_RE = re.compile(
    r"^\s*(?:(?:" + _alternation(TITLE_PREFIXES) + r")\s*[:：].*"  # 题：…, 作者：…
    r"|《[^》\n]{0,40}》[^，。！？,.!?\n]{0,12}"                   # 《春晓》 or 《春晓》 孟浩然
    r"|[—\-－]{1,3}\s*\S{1,12}"                                   # ——李白
    r"|[\[\(（【〔]?\s*[唐宋元明清][\]\)）】〕·・\s]\s*\S{1,6})\s*$"  # 唐·李白, （唐）李白
)
_TITLE_PREFIX_RE = re.compile(r"^\s*《[^》\n]{0,40}》\s*")
_NOTE_RE = re.compile(r"（[^（）\n]{0,200}）|\([^()\n]{0,200}\)|【[^【】\n]{0,200}】|\[[^\[\]\n]{0,200}\]|〔[^〔〕\n]{0,200}〕")
_COLON_RE = re.compile(r"[:：]")
_SENTENCE_RE = re.compile(r"[^。！？!?]*[。！？!?]*")
# Anything that can make extraction do more than split lines: markers, brackets, colons.
_MARKERS = _both_scripts(PREAMBLE_MARKERS + COMMENTARY_MARKERS + WEAK_COMMENTARY_MARKERS)
_SIGNS = "《（(【[〔:：—-－"
_NEEDS_WORK_RE = re.compile(_trie(_MARKERS | set(_SIGNS)))


@dataclass(slots=True)
class Extraction:
    """The verse found in a raw output, with what was removed around it."""

    raw: str
    poem: str
    lines: list[str]
    removed: dict[str, list[str]] = field(default_factory=dict)


def extract_poem(raw: str) -> Extraction:
    """Return the poem inside ``raw`` and record the preamble, title, commentary and notes."""
    if not isinstance(raw, str):
        raise TypeError(f"expected text, got {type(raw).__name__}")
    if not _NEEDS_WORK_RE.search(raw):
        return Extraction(raw=raw, poem=raw.strip(), lines=split_lines(raw), removed={})

    removed: dict[str, list[str]] = {"preamble": [], "title": [], "commentary": [], "notes": []}
    text = _NOTE_RE.sub(lambda m: _record(removed["notes"], m.group(0)), raw)

    kept: list[str] = []
    in_commentary = False
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if in_commentary:
            removed["commentary"].append(line)
            continue
        if _TITLE_LINE_RE.match(line):
            removed["title"].append(line)
            continue
        if not kept:
            line = _strip_preamble(line, removed)
            title = _TITLE_PREFIX_RE.match(line)
            if title:
                removed["title"].append(title.group(0).strip())
                line = line[title.end():]
            if not line:
                continue
        if kept and not han_count(line):  # prose without Chinese after the verse: talk
            removed["commentary"].append(line)
            in_commentary = True
            continue
        head, tail = _split_commentary(line)
        if head:
            kept.append(head)
        if tail:
            removed["commentary"].append(tail)
            in_commentary = bool(kept)
            if not kept:  # talk before any verse is preamble, not commentary
                removed["preamble"].append(removed["commentary"].pop())
    poem = "\n".join(kept)
    return Extraction(raw=raw, poem=poem, lines=split_lines(poem), removed={k: v for k, v in removed.items() if v})


def _record(bucket: list[str], text: str) -> str:
    bucket.append(text)
    return ""


def _strip_preamble(line: str, removed: dict[str, list[str]]) -> str:
    """Drop chat talk at the start of the first verse line: up to a colon, or a talk-only line."""
    colon = _COLON_RE.search(line)
    before = line[: colon.start()] if colon else ""
    if colon and (_PREAMBLE_RE.search(before) or not _looks_like_verse(before)) and han_count(line[colon.end():]):
        removed["preamble"].append(line[: colon.end()])
        return line[colon.end():].strip()
    if _PREAMBLE_RE.match(line.lstrip()) and not _looks_like_verse(line):
        removed["preamble"].append(line)
        return ""
    return line


def _split_commentary(line: str) -> tuple[str, str]:
    """Split a line where the first sentence that opens commentary starts."""
    pos = 0
    for sentence in _SENTENCE_RE.findall(line):
        if not sentence:
            continue
        weak = _WEAK_COMMENTARY_RE.match(sentence) or _PREAMBLE_RE.match(sentence)
        if _COMMENTARY_RE.match(sentence) or (weak and not _looks_like_verse(sentence)):
            return line[:pos].strip(), line[pos:].strip()
        pos += len(sentence)
    return line, ""


def _looks_like_verse(text: str) -> bool:
    """Lines of 4 to 7 characters, all of one length: verse rather than talk."""
    lengths = {len(line) for line in split_lines(text)}
    return len(lengths) == 1 and 4 <= next(iter(lengths)) <= 7
