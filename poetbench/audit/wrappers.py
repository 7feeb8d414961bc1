"""Chat replies around a poem: the same poem, wrapped the way chat models wrap it.

What the module is for
----------------------
Invariance checks of ``poetbench.text.extract`` (extraction v2): the tests, ``bench/invariance.py``
(``audit/invariance.py``) and the ``chat_wrapped`` control of ``poetbench audit``. A poem
wrapped in a chat model's reply (markdown, ``<think>`` blocks, titles, numbering, notes,
translations…) must extract to the same verse lines, and so score the same, as the bare poem.
``WRAPPERS`` turns any bare poem into replies of many shapes. (``audit/wrappers_mixed.py``
adds ``MIXED``: hand-written replies that nest and combine these shapes; ``audit/wrappers_blind.py``
adds ``BLIND``, shapes written apart from the extractor's rules. Both build their replies with
the public helpers here: ``verse_lines``, ``punct_lines``, ``couplets``, ``couplet_parts``,
``pinyin_line`` and ``say``.)

Every chat string here was written for this project. The shapes were modelled on real replies
of chat models (Qwen / Qwen2.5-Instruct, DeepSeek-R1 and its distills, ChatGLM, Llama-Chinese
fine-tunes, GPT) seen in public demo code, README samples and issue threads, but no text was
copied from them. The verse is either famous public-domain Tang poetry (王维, 李白, 柳宗元,
杜甫, 张继, 王之涣) or lines made up for these fixtures (drafts, second versions).

Conventions
-----------
* A wrapper is ``wrap(poem, title, trad) -> str``. ``poem`` is a bare poem in either script
  (``白日依山尽，黄河入海流。欲穷千里目，更上一层楼。``), ``title`` its title (may be ``""``).
  The reply holds every verse line of ``poem``, in order, with its characters unchanged; the
  layout may change (one verse line per line, one couplet per line, halves split by a space…)
  and punctuation may be dropped. The poem and the title are never converted; the chat text
  (written here in Simplified) goes through ``say(text, trad)``, i.e. OpenCC s2t when ``trad``.
* Draft verse (in ``<think>`` blocks, before ``最终版本：``) is made up here and always differs
  from the poem's lines; it has the poem's shape (same line count and lengths).

Shapes covered by ``WRAPPERS`` (name: shape)
--------------------------------------------
 1. ``fence_plain``            code fence with no language tag
 2. ``fence_text`` / ``fence_poem``  code fence tagged ``text`` / ``poem``
 3. ``bold_title_notes_offer`` 好！以下是一首…： + **《题》** + two trailing spaces per line
                               + 注：quoting a line + --- + an offer to revise
 4. ``heading_appreciation``   ## 《题》 heading + poem + 赏析： paragraph quoting a line
 5. ``think_closed``           closed <think>…</think> with reasoning and a full made-up draft
 6. ``think_close_only``       reasoning then a lone </think> (DeepSeek-R1 distill print)
 7. ``numbered_dot``           1. 2. 3. per verse line
 8. ``numbered_chinese``       一、二、 per couplet
 9. ``numbered_circled``       ①②③④ per verse line
10. ``numbered_paren_ascii`` / ``numbered_paren_full``  (1) per verse line / （1） per couplet
11. ``bullets_dash``           - per verse line
12. ``bullets_star``           * per couplet
13. ``ordinal_labels``         第一句： 第二句： …
14. ``bold_couplets``          one bold line per couplet, **A，B。**
15. ``blockquote``             > per line
16. ``title_author_fields``    标题：… + 作者：… lines
17. ``ti_wen_fields``          题：… + 文／… lines
18. ``fullwidth_space_halves`` couplet halves split by U+3000, no punctuation
19. ``tab_halves``             couplet halves split by a tab
20. ``slash_halves``           couplet halves split by `` / ``
21. ``pinyin_after``           pinyin (Latin letters only) after the poem
22. ``english_translation``    an English translation after the poem
23. ``draft_then_final``       a made-up draft, then 最终版本： and the poem
24. ``html_br``                the whole poem on one line joined by <br>;
    ``inline_notes``           （注：…） notes inside verse lines;
    ``invisible_chars``        U+FEFF at start, U+200B inside/after lines, U+202A…U+202C around a line;
    ``line_separators``        verse lines joined by U+2028
Plus ``plain_title_commentary`` (a bare title line, the common Qwen/ChatGLM reply) and
``english_chat`` (GPT-style English talk around the poem).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

from poetbench.text.script import to_traditional

# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

_STOPS = "。！？!?"
_PUNCT = "，。！？；：、,.!?;:"
_SEGMENT = re.compile(rf"([^{re.escape(_PUNCT)}\s]+)([{re.escape(_PUNCT)}]*)")


def _segments(poem: str) -> list[tuple[str, str]]:
    """(verse text, trailing punctuation) for each verse line of a bare poem."""
    return [(m.group(1), m.group(2)) for m in _SEGMENT.finditer(poem.strip())]


def verse_lines(poem: str) -> list[str]:
    """The verse lines, without punctuation: ["白日依山尽", "黄河入海流", ...]."""
    return [text for text, _ in _segments(poem)]


def punct_lines(poem: str) -> list[str]:
    """The verse lines with their own punctuation: ["白日依山尽，", "黄河入海流。", ...]."""
    return [text + punct for text, punct in _segments(poem)]


def couplets(poem: str) -> list[str]:
    """The poem cut after 。！？, punctuation kept: ["白日依山尽，黄河入海流。", ...].

    A poem without any full stop is cut into pairs of lines (joined with ，/。 where a line had
    no punctuation of its own)."""
    segs = _segments(poem)
    if any(ch in _STOPS for _, punct in segs for ch in punct):
        out, cur = [], ""
        for text, punct in segs:
            cur += text + punct
            if any(ch in _STOPS for ch in punct):
                out.append(cur)
                cur = ""
        if cur:
            out.append(cur)
        return out
    out = []
    for i in range(0, len(segs), 2):
        pair = segs[i:i + 2]
        out.append("".join(t + (p or ("，" if j == 0 and len(pair) == 2 else "。")) for j, (t, p) in enumerate(pair)))
    return out


def couplet_parts(poem: str) -> list[list[str]]:
    """Each couplet's verse lines, without punctuation: [["白日依山尽", "黄河入海流"], ...]."""
    return [verse_lines(c) for c in couplets(poem)]


def say(text: str, trad: bool) -> str:
    """Chat text written in Simplified, in Traditional when ``trad``."""
    return to_traditional(text) if trad else text


_DIGITS = "零一二三四五六七八九"


def _cn(n: int) -> str:
    """1 -> 一, 12 -> 十二, 24 -> 二十四."""
    if n < 10:
        return _DIGITS[n]
    if n >= 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "十" if tens == 1 else _DIGITS[tens] + "十"
    return head + (_DIGITS[ones] if ones else "") if n < 100 else str(n)


def _circled(n: int) -> str:
    """1 -> ①, 21 -> ㉑, 36 -> ㊱ (up to 50)."""
    if 1 <= n <= 20:
        return chr(0x2460 + n - 1)
    if 21 <= n <= 35:
        return chr(0x3251 + n - 21)
    if 36 <= n <= 50:
        return chr(0x32B1 + n - 36)
    return f"({n})"


def _form(poem: str) -> str:
    """五言绝句 / 七言律诗 / 绝句 / 五言诗 / 诗, for the chat text."""
    lines = verse_lines(poem)
    sizes = {len(line) for line in lines}
    size = {5: "五言", 7: "七言"}.get(sizes.pop()) if len(sizes) == 1 else None
    kind = {4: "绝句", 8: "律诗"}.get(len(lines))
    if size and kind:
        return size + kind
    if kind:
        return kind
    return (size or "") + "诗"


def _book(title: str) -> str:
    return f"《{title}》" if title else ""


def _pick(lines: list[str], where: float) -> str:
    """One verse line of the poem, to quote in notes (the middle one for where=0.5)."""
    return lines[min(len(lines) - 1, int(len(lines) * where))] if lines else ""


# Made-up verse for drafts (written for these fixtures; not from any poem).
_DRAFT5 = ["寒烟封远岫", "落叶满空庭", "沙鸥眠浅渚", "山月照荒亭", "松风吹客袂", "石径入云深", "晚照浮沙白", "归鸦点暮汀"]
_DRAFT7 = ["春水初生绿满溪", "桃花落尽燕飞低", "青山隔岸云无定", "野老扶筇过小堤",
           "一帘疏雨湿黄昏", "半亩荒池长藻痕", "谁向江楼吹短笛", "数声惊起宿鸥群"]
_DRAFT3 = ["山雨歇", "野烟轻", "江月白", "岸花明"]
_DRAFT4 = ["孤云出岫", "野水横桥", "疏钟隔岸", "落叶满阶"]
_DRAFT6 = ["小径苔痕新绿", "远山烟树微茫", "一川风雨归舟", "半岭松云晚钟"]
_DRAFT_CHARS = "云深不见鹤归时野水孤舟自在移风过竹林声渐远月明沙岸影参差"


def _draft(poem: str, offset: int = 0) -> list[str]:
    """Made-up verse of the poem's shape (same lengths, same punctuation), differing in every line."""
    own = set(verse_lines(poem))
    out = []
    for i, (text, punct) in enumerate(_segments(poem)):
        n = len(text)
        pool = {3: _DRAFT3, 4: _DRAFT4, 5: _DRAFT5, 6: _DRAFT6, 7: _DRAFT7}.get(n)
        for k in range(64):
            if pool:
                cand = pool[(i + offset + k) % len(pool)]
            else:
                start = (i * 7 + offset * 3 + k) % len(_DRAFT_CHARS)
                cand = (_DRAFT_CHARS * (n // len(_DRAFT_CHARS) + 2))[start:start + n]
            if cand not in own:
                break
        out.append(cand + punct)
    return out


# English lines for the translation wrapper (generic, written for these fixtures).
_ENGLISH = [
    "Far hills fold away into the fading light,",
    "and the river runs on toward the distant sea.",
    "I climb once more to see a little farther,",
    "and the wind carries the evening bell to me.",
    "Thin mist lies over the empty ferry,",
    "a lone bird crosses the cold, clear sky.",
    "Who knows where the traveller rests tonight?",
    "Only the moon above the pines keeps watch.",
]


def pinyin_line(line: str, cap: bool = True) -> str:
    """Tone-marked pinyin of one verse line, Latin letters only: "Bái rì yī shān jìn"."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(line, style=Style.TONE, errors="ignore")
    text = " ".join(s for s in syllables if s and all(unicodedata.name(c, "").startswith("LATIN") for c in s))
    return text[:1].upper() + text[1:] if cap else text


# ---------------------------------------------------------------------------------------------
# wrappers: one dominant shape each
# ---------------------------------------------------------------------------------------------


def fence_plain(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(punct_lines(poem))
    return (
        say(f"好的，下面是我为您创作的一首{_form(poem)}：", trad) + "\n\n"
        + (_book(title) + "\n\n" if title else "")
        + "```\n" + body + "\n```\n\n"
        + say("全诗语言力求简洁，前半写景，后半抒怀。希望您喜欢！", trad)
    )


def fence_text(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(couplets(poem))
    return (
        say("当然可以！", trad) + "\n\n"
        + "```text\n" + (title + "\n\n" if title else "") + body + "\n```\n\n"
        + say("如需调整风格或换个韵脚，请随时告诉我。", trad)
    )


def fence_poem(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(punct_lines(poem))
    return (
        say(f"这是按照您的要求写的{_form(poem)}，我把它放在代码块里，方便您直接复制：", trad) + "\n\n"
        + "```poem\n" + (_book(title) + "\n" if title else "") + body + "\n```"
    )


def bold_title_notes_offer(poem: str, title: str, trad: bool) -> str:
    lines = verse_lines(poem)
    body = "".join(line + "  \n" for line in punct_lines(poem))
    quoted = _pick(lines, 0.5)
    return (
        say(f"好！以下是一首{_form(poem)}：", trad) + "\n\n"
        + (f"**{_book(title)}**  \n" if title else "")
        + body + "\n"
        + say("注：“", trad) + quoted + say("”一句是全诗的转折，由眼前之景转入心中之意。", trad) + "\n\n"
        + "---\n\n"
        + say("如果您希望调整意境、换用其他韵部，或者改成别的体裁，请告诉我，我可以再修改。", trad)
    )


def heading_appreciation(poem: str, title: str, trad: bool) -> str:
    lines = verse_lines(poem)
    body = "\n".join(punct_lines(poem))
    return (
        (f"## {_book(title)}\n\n" if title else "")
        + body + "\n\n"
        + say(f"赏析：这首{_form(poem)}起笔平实，由近及远铺开画面。其中“", trad) + _pick(lines, 0.75)
        + say("”一句承上启下，把情绪推向高处；结尾收得含蓄，余味悠长。", trad)
    )


def think_closed(poem: str, title: str, trad: bool) -> str:
    draft = "\n".join(_draft(poem))
    return (
        "<think>\n"
        + say("好的，用户希望我写一首", trad) + (say("题为“", trad) + title + say("”的", trad) if title else "")
        + say(f"{_form(poem)}。先确定基调，再选韵部，韵脚尽量用平声字。先试着写一版：", trad) + "\n"
        + say(draft, trad) + "\n"
        + say("这一版意象有些堆砌，第二句和第四句的韵也不太稳。换个思路重写，写完再逐句核对字数和平仄。", trad) + "\n"
        + "</think>\n\n"
        + (_book(title) + "\n\n" if title else "")
        + "\n".join(punct_lines(poem)) + "\n\n"
        + say("希望这首诗符合您的期待！", trad)
    )


def think_close_only(poem: str, title: str, trad: bool) -> str:
    d = _draft(poem, offset=3)
    first = re.sub(f"[{re.escape(_PUNCT)}]", "", d[0])
    return (
        say("嗯，用户让我写一首", trad) + (say("关于“", trad) + title + say("”的", trad) if title else "")
        + say(f"{_form(poem)}。首先得想想用什么意象，最好既有画面感又不落俗套。第一句也许可以写成“", trad)
        + say(first, trad)
        + say("”，不过这样开头太平了，和后面也接不上。", trad) + "\n\n"
        + say("再考虑押韵：偶数句末字要同韵，而且最好都是平声。字数也要整齐，每句一样长。", trad) + "\n\n"
        + say("好，整理一下，写出最终的版本。", trad) + "\n"
        + "</think>\n\n"
        + (f"**{_book(title)}**\n\n" if title else "")
        + "\n".join(punct_lines(poem)) + "\n\n"
        + say("**创作说明：** 全诗先写景后抒情，用字尽量平易。", trad)
    )


def numbered_dot(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"{i}. {line}" for i, line in enumerate(punct_lines(poem), 1))
    return (
        say(f"当然，下面是一首{_form(poem)}，我按句编了号，方便您对照：", trad) + "\n\n"
        + (_book(title) + "\n\n" if title else "")
        + body + "\n\n"
        + say("如有需要，我也可以逐句解释。", trad)
    )


def numbered_chinese(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"{_cn(i)}、{c}" for i, c in enumerate(couplets(poem), 1))
    return (
        (say("题目：", trad) + _book(title) + "\n\n" if title else "")
        + body + "\n\n"
        + say("以上每一联各为一层意思。", trad)
    )


def numbered_circled(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"{_circled(i)}{line}" for i, line in enumerate(punct_lines(poem), 1))
    return (
        say("好的～", trad) + (_book(title) if title else "") + "\n\n"
        + body + "\n\n"
        + say("（序号仅为方便称引，并非诗的正文。）", trad)
    )


def numbered_paren_ascii(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"({i}) {line}" for i, line in enumerate(punct_lines(poem), 1))
    return (
        say("诗作如下：", trad) + "\n\n"
        + (_book(title) + "\n" if title else "")
        + body
    )


def numbered_paren_full(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"（{i}）{c}" for i, c in enumerate(couplets(poem), 1))
    return (
        say(f"为您写了一首{_form(poem)}", trad) + (say("，题为", trad) + _book(title) if title else "") + say("：", trad) + "\n\n"
        + body + "\n\n"
        + say("希望您喜欢！如需修改请告诉我。", trad)
    )


def bullets_dash(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"- {line}" for line in punct_lines(poem))
    return (
        (f"**{_book(title)}**\n\n" if title else "")
        + body + "\n\n"
        + say(f"以上是一首{_form(poem)}，借景抒情，意在言外。", trad)
    )


def bullets_star(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"* {c}" for c in couplets(poem))
    return (
        say("下面是我的作品：", trad) + "\n\n"
        + (_book(title) + "\n\n" if title else "")
        + body + "\n\n"
        + say("欢迎提出修改意见！", trad)
    )


def ordinal_labels(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(say(f"第{_cn(i)}句：", trad) + line for i, line in enumerate(punct_lines(poem), 1))
    return (
        say("好的，我把这首诗逐句列出：", trad) + "\n\n"
        + (say("诗题：", trad) + _book(title) + "\n" if title else "")
        + body + "\n\n"
        + say("整首诗围绕一个画面展开，句句相扣。", trad)
    )


def bold_couplets(poem: str, title: str, trad: bool) -> str:
    body = "\n\n".join(f"**{c}**" for c in couplets(poem))
    return (
        say(f"当然可以，以下是一首{_form(poem)}：", trad) + "\n\n"
        + (f"### {title}\n\n" if title else "")
        + body + "\n\n"
        + say("这首诗的意境清远，希望能带给您一点闲适的心情。", trad)
    )


def blockquote(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(f"> {line}" for line in punct_lines(poem))
    return (
        say("好的，这是为您写的诗：", trad) + "\n\n"
        + (f"{_book(title)}\n\n" if title else "")
        + body + "\n\n"
        + say("如果想换个意象或者改成别的体裁，告诉我就好。", trad)
    )


def title_author_fields(poem: str, title: str, trad: bool) -> str:
    return (
        (say("标题：", trad) + title + "\n" if title else "")
        + say("作者：AI 助手", trad) + "\n\n"
        + "\n".join(punct_lines(poem)) + "\n"
    )


def ti_wen_fields(poem: str, title: str, trad: bool) -> str:
    return (
        (say("题：", trad) + title + "\n" if title else "")
        + say("文／小诗", trad) + "\n\n"
        + "\n".join(couplets(poem)) + "\n\n"
        + say("（拙作一首，请多指正。）", trad)
    )


def fullwidth_space_halves(poem: str, title: str, trad: bool) -> str:
    body = "\n".join("\u3000".join(parts) for parts in couplet_parts(poem))
    return (
        say(f"按竖排古籍的习惯，每联一行、不加标点，写成{_form(poem)}如下：", trad) + "\n\n"
        + (_book(title) + "\n\n" if title else "")
        + body + "\n"
    )


def tab_halves(poem: str, title: str, trad: bool) -> str:
    body = "\n".join("\t".join(parts) for parts in couplet_parts(poem))
    return (
        (title + "\n\n" if title else "")
        + body + "\n\n"
        + say("（上下句之间用制表符隔开，便于粘贴到表格中。）", trad)
    )


def slash_halves(poem: str, title: str, trad: bool) -> str:
    body = "\n".join(" / ".join(parts) for parts in couplet_parts(poem))
    return (
        say("好的，这是一首", trad) + say(_form(poem), trad) + (say("，题目是", trad) + _book(title) if title else "") + say("：", trad) + "\n\n"
        + body + "\n\n"
        + say("希望您喜欢！", trad)
    )


def pinyin_after(poem: str, title: str, trad: bool) -> str:
    pinyin = "\n".join(pinyin_line(line) for line in verse_lines(poem))
    return (
        say(f"好的，以下是一首{_form(poem)}，并附上拼音，方便朗读：", trad) + "\n\n"
        + (f"**{_book(title)}**\n\n" if title else "")
        + "\n".join(punct_lines(poem)) + "\n\n"
        + say("**拼音：**", trad) + "\n\n"
        + pinyin + "\n"
    )


def english_translation(poem: str, title: str, trad: bool) -> str:
    lines = verse_lines(poem)
    english = "\n".join(_ENGLISH[i % len(_ENGLISH)] for i in range(len(lines)))
    return (
        (_book(title) + "\n\n" if title else "")
        + "\n".join(punct_lines(poem)) + "\n\n"
        + say("英文翻译（English translation）：", trad) + "\n\n"
        + english + "\n\n"
        + say("翻译只求达意，难免损失原诗的韵律。", trad)
    )


def draft_then_final(poem: str, title: str, trad: bool) -> str:
    draft = "\n".join(_draft(poem, offset=5))
    return (
        say("我先写一版初稿：", trad) + "\n\n"
        + say(draft, trad) + "\n\n"
        + say("读了一遍，觉得第二句用字太熟，后半首的意思也有些重复，于是重新推敲了一遍。", trad) + "\n\n"
        + say("最终版本：", trad) + "\n\n"
        + (_book(title) + "\n\n" if title else "")
        + "\n".join(punct_lines(poem)) + "\n\n"
        + say("改动后意境更统一，韵脚也更稳了。", trad)
    )


def html_br(poem: str, title: str, trad: bool) -> str:
    body = "<br>".join(punct_lines(poem))
    return (
        say("好的，以下是诗作：", trad) + "\n\n"
        + (f"<b>{_book(title)}</b><br>" if title else "")
        + body + "<br>\n\n"
        + say("希望您喜欢。", trad)
    )


def inline_notes(poem: str, title: str, trad: bool) -> str:
    segs = _segments(poem)
    notes = [say("（注：此处写眼前实景）", trad), say("（注：此句化用登临之意）", trad)]
    out = []
    for i, (text, punct) in enumerate(segs):
        if i == 0:
            out.append(text + notes[0] + punct)
        elif i == len(segs) // 2:
            out.append(text + notes[1] + punct)
        else:
            out.append(text + punct)
    return (
        say(f"这首{_form(poem)}我在句中加了简短的注释：", trad) + "\n\n"
        + (_book(title) + "\n" if title else "")
        + "\n".join(out) + "\n"
    )


def invisible_chars(poem: str, title: str, trad: bool) -> str:
    lines = punct_lines(poem)
    out = []
    for i, line in enumerate(lines):
        if i == 0:
            line = line[:2] + "\u200b" + line[2:]
        if i == 1:
            line = "\u202a" + line + "\u202c"
        out.append(line + ("\u200b" if i % 2 == 0 else ""))
    return (
        "\ufeff" + say("好的，以下是一首", trad) + say(_form(poem), trad) + say("：", trad) + "\u200b\n\n"
        + (_book(title) + "\u200b\n" if title else "")
        + "\n".join(out) + "\n\n"
        + say("祝您阅读愉快！", trad) + "\u200b"
    )


def line_separators(poem: str, title: str, trad: bool) -> str:
    return (
        say("为您写好了：", trad) + "\n\n"
        + (_book(title) + "\u2028" if title else "")
        + "\u2028".join(punct_lines(poem)) + "\n\n"
        + say("如需修改，欢迎继续交流。", trad)
    )


def plain_title_commentary(poem: str, title: str, trad: bool) -> str:
    return (
        say(f"当然可以。以下是我为您创作的一首{_form(poem)}：", trad) + "\n\n"
        + (title + "\n\n" if title else "")
        + "\n".join(punct_lines(poem)) + "\n\n"
        + say("这首诗以简练的笔墨勾勒景物，又在结尾寄托情思。希望这首诗能够符合您的期望；"
              "如果您有特定的主题或风格要求，我也可以再为您创作。", trad)
    )


def english_chat(poem: str, title: str, trad: bool) -> str:
    return (
        "Sure! Here's a classical Chinese poem"
        + (f" titled {_book(title)}" if title else "") + ":\n\n"
        + "\n".join(punct_lines(poem)) + "\n\n"
        + "It follows the traditional line length throughout. Let me know if you'd like a translation or any changes!"
    )


WRAPPERS: dict[str, Callable[[str, str, bool], str]] = {
    f.__name__: f
    for f in (
        fence_plain, fence_text, fence_poem, bold_title_notes_offer, heading_appreciation,
        think_closed, think_close_only, numbered_dot, numbered_chinese, numbered_circled,
        numbered_paren_ascii, numbered_paren_full, bullets_dash, bullets_star, ordinal_labels,
        bold_couplets, blockquote, title_author_fields, ti_wen_fields, fullwidth_space_halves,
        tab_halves, slash_halves, pinyin_after, english_translation, draft_then_final, html_br,
        inline_notes, invisible_chars, line_separators, plain_title_commentary, english_chat,
    )
}
