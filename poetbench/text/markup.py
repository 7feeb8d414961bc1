"""A chat reply as a list of plain-text lines that remember where they came from.

The first stage of extraction (``extract.py`` decides what is verse). Rules, in order:

1. **Invisible characters** go before anything else: control characters (but tab and newline), zero-width and direction marks
   (U+200B–U+200F), embeddings and overrides (U+202A–U+202E), isolates (U+2066–U+2069), the word
   joiner (U+2060), the soft hyphen and the byte-order mark (U+FEFF). Unicode line and paragraph
   separators (U+2028, U+2029) and ``\\r`` become newlines.
2. **Reasoning blocks** (``<think>…</think>``, ``<thinking>``, ``<reasoning>``; any case) are cut
   out. A closing tag with no opening one (the template opened the block) makes everything before
   it reasoning. An opening tag that is never closed makes everything after it reasoning, and says
   so (``unclosed``).
3. **Markdown** is parsed with markdown-it-py (CommonMark; setext headings and indented code are
   off, so ``---`` under a line is a rule and an indented poem stays text). Paragraphs, list items
   and block quotes give their lines without the markers; emphasis marks are dropped but a line
   wholly in bold or italics is flagged (``emphasis``); ``<br>`` is a line break and other HTML
   tags are dropped; a fenced block gives its lines as written (``fence``); a heading gives one
   line (``heading``); a table gives a line per cell (``table``: glossaries and 平仄 charts, never
   the poem); a thematic break (``---``) and the edges of a fence give a ``Line`` with
   ``kind="break"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

INVISIBLE = ("\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
             "\u2060\u2066\u2067\u2068\u2069\ufeff")
_INVISIBLE_RE = re.compile("[" + INVISIBLE + "]+")
_NEWLINE_RE = re.compile("\r\n|[\r\u2028\u2029]")
_TAGS = "think|thinking|reasoning|reflection"
_REASONING_RE = re.compile(rf"<({_TAGS})\s*>(.*?)</\1\s*>", re.I | re.S)
_OPEN_RE = re.compile(rf"<(?:{_TAGS})\s*>", re.I)
_CLOSE_RE = re.compile(rf"</(?:{_TAGS})\s*>", re.I)
_BR_RE = re.compile(r"<br\s*/?>", re.I)
_TAG_RE = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")
_STRAY_MARKS_RE = re.compile(r"[*`]+|~~")
# Characters and line starts that can make markdown more than paragraphs of lines (for a fast path).
_MARKDOWN_RE = re.compile(r"[*_`|<&\[\\]|^[ \t]*(?:[-+>#~]|\d{1,9}[.)])", re.M)
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
EMPH_OPEN, EMPH_CLOSE = "\x01", "\x02"  # sentinels around emphasised text while rendering


@dataclass(slots=True)
class Reasoning:
    """What reasoning blocks held, and whether one was left open."""

    blocks: list[str]
    unclosed: bool


@dataclass(slots=True)
class Line:
    """One line of the reply. ``kind``: text, heading, table, fence, html, or break (no text)."""

    text: str
    kind: str = "text"
    emphasis: bool = False  # the whole line is bold or italic
    block: int = 0  # which top-level block (paragraph, list, quote, heading, fence) of the reply it is in


def normalise(raw: str) -> str:
    """Rule 1: invisible characters removed, every line break a ``\\n``."""
    return _NEWLINE_RE.sub("\n", _INVISIBLE_RE.sub("", raw))


def cut_reasoning(text: str) -> tuple[str, Reasoning]:
    """Rule 2: the reply without its reasoning blocks, and what they held."""
    blocks: list[str] = []

    def keep(match: re.Match) -> str:
        blocks.append(match.group(2).strip())
        return "\n"

    text = _REASONING_RE.sub(keep, text)
    close = _CLOSE_RE.search(text)
    if close and not _OPEN_RE.search(text[:close.start()]):  # the template opened the block
        blocks.append(text[:close.start()].strip())
        text = text[close.end():]
    unclosed = False
    opening = _OPEN_RE.search(text)
    if opening:
        blocks.append(text[opening.end():].strip())
        text, unclosed = text[:opening.start()], True
    text = _CLOSE_RE.sub("\n", text)  # a stray closing tag left after the rules above
    return text, Reasoning([b for b in blocks if b], unclosed)


@lru_cache(maxsize=1)
def _parser():
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").disable(["lheading", "code"])


def markdown_lines(text: str, parse: bool = False) -> list[Line]:
    """Rule 3: the lines of a reply parsed as markdown. A text without any character markdown
    reads (``*_`|<&[\\`` anywhere, ``- + > # ~`` or a number at a line start) is split into paragraphs and lines
    directly, which gives the same lines (a test checks); ``parse`` forces the parser."""
    if not parse and not _MARKDOWN_RE.search(text):
        return [line for block, paragraph in enumerate(_PARAGRAPH_RE.split(text))
                for line in _plain_lines(paragraph, "text", block)]
    out: list[Line] = []
    tokens = _parser().parse(text)
    heading = table = False
    block = 0
    for index, token in enumerate(tokens):
        if token.level == 0:  # a top-level block: a list or a quote is one block with all its items
            block = index
        if token.type in ("heading_open", "heading_close"):
            heading = token.type == "heading_open"
        elif token.type in ("table_open", "table_close"):
            table = token.type == "table_open"
        elif token.type == "inline":
            kind = "table" if table else "heading" if heading else "text"
            out.extend(_plain_lines(_render_inline(token.children or []), kind, block))
        elif token.type in ("fence", "code_block"):
            out.append(Line("", "break"))
            out.extend(Line(line.strip(), "fence", False, block) for line in token.content.split("\n") if line.strip())
            out.append(Line("", "break"))
        elif token.type == "html_block":
            out.extend(_plain_lines(_TAG_RE.sub("", _BR_RE.sub("\n", token.content)), "html", block))
        elif token.type == "hr":
            out.append(Line("", "break"))
    return out


def plain_lines(text: str) -> list[Line]:
    """The lines of a text that is not markdown (the inside of a reasoning block)."""
    return _plain_lines(text, "text")


def _render_inline(children) -> str:
    parts = []
    for child in children:
        kind = child.type
        if kind in ("text", "code_inline"):
            parts.append(child.content)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "html_inline":
            parts.append("\n" if _BR_RE.fullmatch(child.content.strip()) else "")
        elif kind in ("strong_open", "em_open"):
            parts.append(EMPH_OPEN)
        elif kind in ("strong_close", "em_close"):
            parts.append(EMPH_CLOSE)
        elif kind == "image":
            parts.append(_render_inline(child.children or []))
    return "".join(parts)


def _plain_lines(text: str, kind: str, block: int = 0) -> list[Line]:
    out = []
    for line in text.split("\n"):
        stripped = line.strip()
        emphasis = (stripped.startswith(EMPH_OPEN) and stripped.endswith(EMPH_CLOSE)
                    and EMPH_CLOSE not in stripped[1:-1])
        clean = _STRAY_MARKS_RE.sub("", stripped.replace(EMPH_OPEN, "").replace(EMPH_CLOSE, ""))
        if clean.strip():
            out.append(Line(clean.strip(), kind, emphasis, block))
    return out
