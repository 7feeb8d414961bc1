"""Find the poem inside a chat model's reply (extraction v3).

Real replies wrap the poem: ``好！以下是一首五绝：``, a bold ``**《题》**``, a code fence, numbered
lines, a ``<think>`` block of drafts, ``注：…`` and an offer to revise. The reply is read in
three stages; every dropped piece is recorded with its kind and the reason.

1. **Markup** (``markup.py``): invisible characters out, reasoning blocks cut, the markdown parsed
   (markdown-it-py) into plain lines that remember headings, fences, emphasis and rules.
2. **Lines**, each read in this order:

   * a markdown table cell is talk (glossaries, 平仄 charts);
   * emoji at the ends of a line are set aside, and a field in 【】 at its start reads as a label
     (【诗名】… as 诗名：…, 【简析】… as 简析：…);
   * a title, author or date line is dropped as ``title``: 《…》 (and a title prefix on a verse
     line), ``标题：``/``题：``/``题目：``/``诗题：``/``作者：``/``朝代：``/``体裁：``, ``文／…``, ``——李白``,
     a date (2024年3月, 甲辰年…),
     ``唐·李白``, a heading that is no label, a bold line of one short phrase (unless a line
     next to it is bold too: then it is a poem in bold);
   * separators inside a line — full-width space, tab, `` / ``, ``｜`` and runs of two or more
     spaces — split it into lines;
   * a line-number prefix is dropped: ``1.``, ``1、``, ``一、``, ``①``, ``(1)``, ``（1）``,
     ``第一句：``, ``首联：``, ``Line 1:``;
   * bracketed notes — （…）, (…), 【…】, [...], 〔…〕 — are dropped as ``notes``;
   * a label (``talk.label_kind``) ends the current poem and sets the section for what follows:
     ``final`` (最终版本：), ``draft`` (初稿：), ``commentary`` (赏析：, 注：…) or ``other``; a
     commentary label with text after its colon makes the whole line commentary;
   * talk sentences (``talk.is_talk``) at the start or end of a line are dropped; talk that opens
     commentary (这首诗…) starts a commentary section — but before any verse it is a preamble;
   * a line of prose (``talk.is_vernacular``: modern particles, not verse-shaped) in a paragraph
     after two or more verse lines is talk (改得更统一了，希望您满意的话…);
   * a line without Han characters (pinyin, English) is dropped and does not end a poem;
   * what is left is a verse line. Its characters are what is left of it without symbols and
     emoji (``lines.verse_lines``: 白日依山尽🌞 is a line of five), wherever verse is measured.

   A **candidate** poem is a run of verse lines; a title, label, talk line, heading, rule (---)
   or fence edge ends it (blank lines do not: stanzas stay together). In a commentary section a
   run counts as a candidate only when it is poem-shaped (two or more lines of one length, 4 to
   7 characters); otherwise it is commentary.
3. **Selection**, when there are several candidates — documented, and recorded as ``choice``:

   1. the last candidate after a ``final`` label (最终版本, 修改后, 定稿);
   2. else the candidate with the most lines of its own commonest length, outside drafts and
      commentary, the first on a tie (two versions: the first);
   3. else the same among draft candidates, then commentary candidates (a poem only quoted
      inside an analysis);
   4. else, when a ``<think>`` block was left open and nothing stands outside it, the last
      candidate inside it (the model's last draft);
   5. else there is no verse: ``lines`` is empty and the warning is ``no_verse``.

   A first line of one phrase, without punctuation and alone on its line, is an unmarked title,
   dropped as ``title``, when every line after it ends in punctuation, when four or more lines of
   one other length follow it, or when it is a paragraph of its own before a paragraph of two or
   more lines.

Dropped text is ``preamble`` before the chosen poem and ``commentary`` after it; ``title``,
``notes``, ``reasoning`` and ``candidate`` (a poem not chosen) are kept apart. Warnings:
``several_candidates``, ``unclosed_think``, ``mixed_line_lengths`` (the chosen lines differ in
length) and ``no_verse``.

Plain text — Han characters and ，。？！； only, no talk phrase, a first line that is no
title, possibly with bracketed notes inside its lines — takes a fast path that drops the notes
and splits lines directly; a test checks that both paths agree.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from poetbench.text import markup, talk
from poetbench.text.lines import han_count, has_han, split_lines, verse_lines

EXTRACT_VERSION = "v3"  # v3: symbols and emoji are not characters of a line (issue 28, N)
WARNINGS = ("several_candidates", "unclosed_think", "mixed_line_lengths", "no_verse")

_TITLE_LINE_RE = re.compile(
    r"^\s*(?:(?:" + talk.alternation(talk.TITLE_PREFIXES) + r")\s*[:：].*"  # 题：…, 作者：…
    r"|《[^》\n]{0,120}》[^，。！？,.!?\n]{0,12}"                          # 《春晓》 or 《春晓》 孟浩然
    r"|[—\-－]{1,3}\s*\S[^\n]{0,19}"                                      # ——李白, —— AI 助手 敬作
    r"|[^，。！？；,.!?;\n]{0,12}(?:\d{4}\s*年\s*\d{1,2}\s*月|[甲乙丙丁戊己庚辛壬癸][子丑寅卯辰巳午未申酉戌亥]年)"
    r"[^，。！？；,.!?;\n]{0,16}"                                             # a date: 2024年3月, 甲辰年仲春
    r"|文\s*[／/]\s*\S{1,12}"                                             # 文／李白
    r"|[\[\(（【〔]?\s*[唐宋元明清今][\]\)）】〕·・\s]\s*\S{1,6})\s*$"     # 唐·李白, （唐）李白
)
_BOOK_TITLE_RE = re.compile(r"《[^》\n]*》")
_FIELD_RE = re.compile(r"^\s*【([^【】\n]{1,6})】")  # 【诗名】…, 【正文】 read as 诗名：…, 正文：
_TITLE_PREFIX_RE = re.compile(r"^\s*《[^》\n]{0,120}》\s*")
_SEPARATOR_RE = re.compile(r"[\u3000\t｜|]+| {2,}| +/ +|(?<=\S)[/／](?=\S)")
_NUMBER_RE = re.compile(
    r"^\s*(?:\d{1,2}\s*[.、．)）]|[一二三四五六七八九十]{1,3}\s*[、.．]|[\(（]\s*[\d一二三四五六七八九十]{1,3}\s*[\)）]"
    r"|[\u2460-\u2473\u2776-\u277f\u3251-\u325f\u32b1-\u32bf]|第\s*[\d一二三四五六七八九十]{1,3}\s*[句联行首]\s*[:：]?"
    r"|(?:" + talk.alternation(talk.LINE_LABELS) + r")\s*[:：]"
    r"|[Ll]ine\s*\d{1,2}\s*[:：.])\s*"
)
_NOTE_RE = re.compile(r"（[^（）\n]{0,200}）|\([^()\n]{0,200}\)|【[^【】\n]{0,200}】|\[[^\[\]\n]{0,200}\]|〔[^〔〕\n]{0,200}〕")
_TITLE_FIRST_RE = re.compile(r"《[^《》\n]{1,30}》(?=[\u3400-\u4dbf\u4e00-\u9fff])")  # a title the verse follows
_NOTE_FIRST_RE = re.compile(r"(?:^|\n)\s*[（(【\[〔]")  # a note that opens a line may be a number: (1)
_LINE_END = "，。？！、；：,.?!;:"
_PLAIN_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f，。？！；\n]*")
_WORDS_RE = re.compile(talk.trie(talk.ALL_WORDS))


@dataclass(slots=True)
class Dropped:
    """A piece of the reply that is not the poem: its kind, its text and why it was dropped."""

    kind: str  # preamble, title, commentary, notes, reasoning, candidate
    text: str
    reason: str


@dataclass(slots=True)
class Extraction:
    """The verse found in a raw output, with what was dropped around it and why."""

    raw: str
    poem: str
    lines: list[str]
    dropped: list[Dropped] = field(default_factory=list)
    candidates: list[list[str]] = field(default_factory=list)  # the verse lines of every candidate
    chosen: int | None = None  # index into candidates
    choice: str = ""  # the selection rule that chose it
    warnings: list[str] = field(default_factory=list)

    @property
    def removed(self) -> dict[str, list[str]]:
        """The dropped texts by kind, in order."""
        out: dict[str, list[str]] = {}
        for piece in self.dropped:
            out.setdefault(piece.kind, []).append(piece.text)
        return out


@dataclass(slots=True)
class _Candidate:
    lines: list[str]
    section: str
    items: list[int]  # positions in the piece list


@dataclass(slots=True)
class _Piece:
    kind: str  # verse, drop, talk (preamble or commentary by position), end (ends a candidate)
    text: str = ""
    reason: str = ""
    drop_kind: str = ""
    section: str = "neutral"
    closes: bool = True  # a dropped piece that ends the current candidate
    block: int = 0  # the markdown block of its line
    line: int = 0  # the number of its line (parts split by separators share one)


def extract_poem(raw: str) -> Extraction:
    """Return the poem inside ``raw`` with every dropped piece, the candidates and the warnings."""
    if not isinstance(raw, str):
        raise TypeError(f"expected text, got {type(raw).__name__}")
    if is_plain(raw):
        return _plain(raw, raw, [])
    titled = _TITLE_FIRST_RE.match(raw)
    if titled and is_plain(rest := raw[titled.end():]) and not _TITLE_LINE_RE.match(raw.partition("\n")[0]):
        # 《浣溪沙》 and the verse on its line (a line that is a title alone takes the full path)
        return _plain(raw, rest, [Dropped("title", titled.group(), "a title before the verse")])
    notes = _NOTE_RE.findall(raw)
    if notes and not _NOTE_FIRST_RE.search(raw):  # plain but for notes inside lines
        rest = _NOTE_RE.sub("", raw)
        if is_plain(rest):
            return _plain(raw, rest, [Dropped("notes", note, "a bracketed note") for note in notes])
    return _extract(raw)


def _plain(raw: str, text: str, dropped: list[Dropped]) -> Extraction:
    """The fast path: ``text`` (``raw`` without its notes) is the poem, split into lines (Han
    characters and line-ending marks only: nothing to drop)."""
    lines = split_lines(text, clean=True)
    return Extraction(raw=raw, poem=text.strip(), lines=lines, dropped=dropped, candidates=[lines] if lines else [],
                      chosen=0 if lines else None, choice="the only candidate" if lines else "",
                      warnings=_warnings(lines, 1 if lines else 0, False))


def is_plain(raw: str) -> bool:
    """True when ``raw`` is Han characters and ，。？！； only, with no talk or label phrase, no
    您, no sentence that is an interjection alone and no title line: then extraction is a plain
    line split."""
    if (not _PLAIN_RE.fullmatch(raw) or _WORDS_RE.search(raw) or "您" in raw
            or talk.INTERJECTION_SENTENCE_RE.search(raw)):
        return False
    first, _, rest = raw.strip().partition("\n")
    return not rest.strip() or any(mark in first for mark in "，。？！；")


def _extract(raw: str) -> Extraction:
    text, reasoning = markup.cut_reasoning(markup.normalise(raw))
    pieces = _read(markup.markdown_lines(text))
    candidates = _candidates(pieces)
    chosen, choice = _choose(candidates)
    inner_pieces: list[_Piece] = []
    inner: list[_Candidate] = []
    if chosen is None and reasoning.unclosed:  # rule 4: the last draft of an unfinished think block
        inner_pieces = _read(markup.markdown_lines(reasoning.blocks[-1])) if reasoning.blocks else []
        inner = _candidates(inner_pieces, shaped_only=True)
    blocks = reasoning.blocks[:-1] if inner else reasoning.blocks
    dropped = [Dropped("reasoning", block, "a reasoning block (<think>)") for block in blocks]
    if inner:
        own = inner[-1]
        choice = "the last candidate inside an unclosed <think> block"
        _drop_unmarked_title(own, inner_pieces)
        _drop_all(pieces, candidates, None, dropped)
        _drop_all(inner_pieces, inner, own, dropped, inside_reasoning=True)
        chosen = len(candidates) + len(inner) - 1
        candidates = candidates + inner
    else:
        own = candidates[chosen] if chosen is not None else None
        if own:
            _drop_unmarked_title(own, pieces)
        _drop_all(pieces, candidates, own, dropped)
    poem = "\n".join(own.lines) if own else ""
    lines = verse_lines(poem)
    return Extraction(raw=raw, poem=poem, lines=lines, dropped=dropped, candidates=[c.lines for c in candidates],
                      chosen=chosen, choice=choice, warnings=_warnings(lines, len(candidates), reasoning.unclosed))


def _warnings(lines: list[str], n_candidates: int, unclosed: bool) -> list[str]:
    warnings = []
    if n_candidates > 1:
        warnings.append("several_candidates")
    if unclosed:
        warnings.append("unclosed_think")
    if len({len(line) for line in lines}) > 1:
        warnings.append("mixed_line_lengths")
    if not lines:
        warnings.append("no_verse")
    return warnings


def _read(lines: list[markup.Line]) -> list[_Piece]:
    """Stage 2: every line of the reply as verse, dropped text, or the end of a candidate."""
    pieces: list[_Piece] = []
    section = "neutral"
    seen_verse = False
    for n, line in enumerate(lines):
        if line.kind == "break":  # a rule or a fence edge ends commentary and drafts, not a final version
            section = "final" if section == "final" else "neutral"
            pieces.append(_Piece("end"))
            continue
        text = _FIELD_RE.sub(lambda m: m.group(1) + "：", talk.strip_symbols(line.text))
        if not text:
            continue
        if line.kind == "table":
            pieces.append(_Piece("talk", text, "a table cell", section=section))
            continue
        if _TITLE_LINE_RE.match(text):  # a title starts a poem: commentary is over
            pieces.append(_Piece("drop", text, "a title or author line", "title"))
            section = "neutral" if section == "commentary" else section
            continue
        if line.kind == "heading" or line.emphasis:
            kind = talk.label_kind(text)
            if kind:
                pieces.append(_Piece("talk", text, f"a label ({kind})", section=kind))
                section = kind
                continue
            bold_verse = any(0 <= k < len(lines) and lines[k].emphasis and lines[k].kind == "text" for k in (n - 1, n + 1))
            if line.kind == "heading" or (len(verse_lines(text)) == 1 and han_count(text) <= 12 and not bold_verse):
                pieces.append(_Piece("drop", text, "a heading" if line.kind == "heading" else "a bold title",
                                     "title"))
                section = "neutral" if section == "commentary" else section
                continue
        first = len(pieces)
        text = _BOOK_TITLE_RE.sub(lambda m: _SEPARATOR_RE.sub(" ", m.group(0)), text)  # 《a　b》 stays one part
        for part in _SEPARATOR_RE.split(text):
            section = _read_part(part.strip(), section, pieces)
        for piece in pieces[first:]:
            piece.block, piece.line = line.block, n
        seen_verse = seen_verse or any(piece.kind == "verse" for piece in pieces[first:])
        if section == "commentary" and not seen_verse:
            section = "other"  # talk of notes before any verse (我在句中加了注释：) is a preamble
    return pieces


def _read_part(text: str, section: str, pieces: list[_Piece]) -> str:
    """One separated part of a line into ``pieces``; returns the section that follows."""
    if not text:
        return section
    number = _NUMBER_RE.match(text)
    if number and has_han(text[number.end():]):
        text = text[number.end():]
    if _NOTE_RE.search(text):
        for note in _NOTE_RE.findall(text):
            pieces.append(_Piece("drop", note, "a bracketed note", "notes", section, closes=False))
        text = _NOTE_RE.sub("", text).strip()
        if not text:
            return section
    label, rest = talk.split_label(text)
    if label:
        kind = talk.label_kind(label)
        if kind == "commentary":
            pieces.append(_Piece("talk", text, "commentary after a label", section="commentary"))
            return "commentary"
        pieces.append(_Piece("talk", label, f"a label ({kind})", section=kind))
        section, text = kind, rest
        if not text:
            return section
    title = _TITLE_PREFIX_RE.match(text)
    if title and has_han(text[title.end():]):
        pieces.append(_Piece("drop", title.group(0).strip(), "a title before the verse", "title", section))
        text = text[title.end():]
    if not has_han(text):
        if any(ch.isalnum() for ch in text):  # punctuation alone is nothing at all
            pieces.append(_Piece("talk", text, "no Han characters (English, pinyin)", section=section, closes=False))
        return section
    before, verse, after = talk.split_talk(text)
    if before:
        pieces.append(_Piece("talk", before, "assistant talk", section=section))
        if talk.opens_commentary(before) and not verse:
            section = "commentary"
    if verse and has_han(verse):
        pieces.append(_Piece("verse", verse, section=section))
    elif any(ch.isalnum() for ch in verse):  # punctuation alone is nothing at all
        pieces.append(_Piece("talk", verse, "no Han characters (English, pinyin)", section=section, closes=False))
    if after:
        pieces.append(_Piece("talk", after, "assistant talk", section=section))
        if talk.opens_commentary(after):
            section = "commentary"
    return section


def _candidates(pieces: list[_Piece], shaped_only: bool = False) -> list[_Candidate]:
    """Runs of verse lines. In commentary (and with ``shaped_only``, everywhere) a run keeps only
    its poem-shaped tail; a run without one is no candidate."""
    out: list[_Candidate] = []
    run: _Candidate | None = None
    for i, piece in enumerate(pieces):
        if (piece.kind == "verse" and run and len(run.lines) >= 2 and piece.block != pieces[run.items[-1]].block
                and talk.is_vernacular(piece.text)):
            piece.kind, piece.reason = "talk", "prose after the poem, in its own paragraph"
        if piece.kind == "verse":
            if run is None or run.section != piece.section:
                run = _Candidate([], piece.section, [])
                out.append(run)
            run.lines.append(piece.text)
            run.items.append(i)
        elif piece.closes:
            run = None
    for c in out:
        if shaped_only or c.section == "commentary":
            while c.lines and not _poem_shaped(c.lines):
                del c.lines[0], c.items[0]
    return [c for c in out if c.lines]


def _poem_shaped(lines: list[str]) -> bool:
    verse = verse_lines("\n".join(lines))
    return len(verse) >= 2 and len({len(v) for v in verse}) == 1 and 4 <= len(verse[0]) <= 7


def _size(candidate: _Candidate) -> int:
    """Lines of the candidate's commonest length."""
    lengths = Counter(len(line) for line in verse_lines("\n".join(candidate.lines)))
    return max(lengths.values(), default=0)


def _choose(candidates: list[_Candidate]) -> tuple[int | None, str]:
    """Stage 3: the index of the chosen candidate and the rule that chose it."""
    if not candidates:
        return None, ""
    if len(candidates) == 1:
        return 0, "the only candidate"
    finals = [i for i, c in enumerate(candidates) if c.section == "final"]
    if finals:
        return finals[-1], "the last candidate after a final-version label"
    sizes = [_size(c) for c in candidates]
    for sections, why in ((("neutral", "other"), "the fullest candidate"),
                          (("draft",), "the fullest draft"), (("commentary",), "the fullest poem quoted in commentary")):
        pool = [i for i, c in enumerate(candidates) if c.section in sections]
        if pool:
            best = max(pool, key=lambda i: (sizes[i], -i))
            ties = sum(sizes[i] == sizes[best] for i in pool)
            return best, why + (", the first of equals" if ties > 1 else "")
    return None, ""


def _drop_all(pieces: list[_Piece], candidates: list[_Candidate], chosen: _Candidate | None,
              dropped: list[Dropped], inside_reasoning: bool = False) -> None:
    """Record every piece that is not the chosen poem, in reply order."""
    in_candidate = {i: c for c in candidates for i in c.items}
    start = chosen.items[0] if chosen else len(pieces)
    for i, piece in enumerate(pieces):
        if piece.kind == "end" or (chosen and i in chosen.items):
            continue
        if inside_reasoning and i < start:
            kind, reason = "reasoning", "reasoning before the last draft in an unclosed <think> block"
        elif piece.kind == "verse":
            other = in_candidate.get(i)
            kind = "candidate" if other else ("preamble" if i < start else "commentary")
            reason = f"another candidate ({other.section} section)" if other else "verse inside commentary"
        elif piece.kind == "drop":
            kind, reason = piece.drop_kind, piece.reason
        else:
            kind, reason = ("preamble" if i < start else "commentary"), piece.reason
        dropped.append(Dropped(kind, piece.text, reason))


def _drop_unmarked_title(candidate: _Candidate, pieces: list[_Piece]) -> None:
    """Take an unmarked title off the chosen candidate: a first line (up to three parts) without
    punctuation, followed by punctuated lines, or (alone in its paragraph) by a paragraph of two
    or more lines; or a first line of one part before four or more lines of one other length."""
    items = candidate.items
    head = [k for k, i in enumerate(items) if pieces[i].line == pieces[items[0]].line]
    title, lines = candidate.lines[:len(head)], candidate.lines[len(head):]
    if not lines or len(title) > 3 or any(mark in part for part in title for mark in "，。？！；,.?!;"):
        return
    parts = [piece for part in title for piece in verse_lines(part)]
    rest = verse_lines("\n".join(lines))
    lengths = {len(line) for line in rest}
    punctuated = all(line.rstrip()[-1:] in _LINE_END for line in lines)
    regular = len(title) == 1 and len(rest) >= 4 and len(lengths) == 1 and not lengths & {len(part) for part in parts}
    blocks = Counter(pieces[i].block for i in items)
    first, after = pieces[items[0]].block, pieces[items[len(head)]].block
    alone = blocks[first] == len(head) and blocks[after] >= 2
    if punctuated or regular or alone:
        for i in items[:len(head)]:
            pieces[i].kind, pieces[i].drop_kind = "drop", "title"
            pieces[i].reason = "an unmarked title: a first line unlike the verse after it"
        del candidate.lines[:len(head)], candidate.items[:len(head)]
