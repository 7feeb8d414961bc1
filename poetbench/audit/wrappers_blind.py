"""Blind chat-reply wrappers: a held-out set for measuring extraction invariance.

What the file is for
--------------------
``audit/wrappers.py`` and ``audit/wrappers_mixed.py`` hold the wrapper styles that extraction v2
was tuned on. This file holds a second, BLIND set of styles, written without looking at the
extractor's rules (``poetbench.text.extract`` and its helpers were not read while writing it). Use ``BLIND``
only to measure how invariant extraction is on reply shapes it has not seen; never tune the
extractor against it, or it stops being blind.

Every chat string here was written for this project. The shapes were modelled on the way chat
models (Qwen, DeepSeek, GLM, Llama-Chinese fine-tunes, GPT, Kimi, Doubao) tend to dress a poem
in a reply, but no text was copied from any of them.

Conventions (same as ``audit/wrappers.py``)
-------------------------------------------
* A wrapper is ``wrap(poem, title, trad) -> str``. ``poem`` is a bare poem in either script,
  ``title`` its title (may be ``""``). The reply holds every verse line of ``poem``, in order,
  with its characters unchanged; layout may change and punctuation may be dropped.
* The poem and the title are never converted; chat text (written here in Simplified) goes
  through ``say(text, trad)``. Title and verse are spliced in *after* ``say``.

Shapes covered by ``BLIND`` (name: shape)
-----------------------------------------
 1. ``restate_request``      restates the request (您要的是一首以《题》为题的…), couplet lines,
                             a closing sentence
 2. ``md_sections``          ### 作品 + bold title + poem, then ### 创作思路 with a bulleted list
                             (one bullet quotes the last verse line in 「」)
 3. ``quote_bold_title``     whole poem in a blockquote, **《题》** as the first quote line,
                             an empty ``>`` line, then one couplet per quote line
 4. ``bracket_labels``       【诗名】《题》 / 【体裁】… / 【正文】 + poem / 【简析】…
 5. ``followup_offers``      short intro, poem, a one-line comment, then 你还可以：1. 2. 3.
 6. ``emoji_talk``           🌸 好的！… intro, ✨《题》✨ title line, poem, emoji-laden outro
 7. ``hr_sandwich``          intro, ``---`` above and below the poem, a note after
 8. ``signed_dated``         title, poem, then a ——署名 line and a date line
 9. ``rhyme_tone_notes``     poem, then **韵脚**：… and **平仄**：… (a 平/仄 pattern string per
                             couplet) and **押韵**：… lines
10. ``english_md_fence``     English talk, the poem in a ```markdown fence with a ``#`` title
11. ``couplet_gloss``        each couplet on its own line followed by an indented （…） gloss line
12. ``kimi_quote_reading``   以下是为你创作的…：, one verse line per ``>`` line (trailing double
                             space), then **解读：** paragraph quoting the first verse line
"""

from __future__ import annotations

from typing import Callable

from poetbench.audit.wrappers import couplets, say, verse_lines

Wrapper = Callable[[str, str, bool], str]


# ---------------------------------------------------------------------------------------------
# small helpers (chat text only; they never touch verse characters)
# ---------------------------------------------------------------------------------------------

def _form(poem: str) -> str:
    """A form name such as 五言绝句 / 七言律诗 from the poem's shape (Simplified chat text)."""
    lines = verse_lines(poem)
    n = len(lines)
    width = len(lines[0]) if lines else 0
    yan = {5: "五言", 7: "七言"}.get(width, "")
    kind = {4: "绝句", 8: "律诗"}.get(n, "诗")
    return yan + kind if yan else "古体诗"


def _quoted_title(title: str) -> str:
    return f"《{title}》" if title else ""


def _rhyme_chars(poem: str) -> list[str]:
    """Last character of every even verse line (the rhyme positions)."""
    return [line[-1] for line in verse_lines(poem)[1::2] if line]


def _lian_names(n_couplets: int) -> list[str]:
    if n_couplets == 4:
        return ["首联", "颔联", "颈联", "尾联"]
    if n_couplets == 2:
        return ["前两句", "后两句"]
    digits = "一二三四五六七八九十"
    return [f"第{digits[i] if i < len(digits) else i + 1}联" for i in range(n_couplets)]


_PATTERNS = {
    5: [("仄仄平平仄", "平平仄仄平"), ("平平平仄仄", "仄仄仄平平")],
    7: [("平平仄仄平平仄", "仄仄平平仄仄平"), ("仄仄平平平仄仄", "平平仄仄仄平平")],
}


# ---------------------------------------------------------------------------------------------
# the wrappers
# ---------------------------------------------------------------------------------------------

def restate_request(poem: str, title: str, trad: bool) -> str:
    """Qwen/GLM style: restate the request, then the poem one couplet per line."""
    form = _form(poem)
    if title:
        head = say("您要的是一首以", trad) + _quoted_title(title) + say(
            f"为题的{form}，下面是我的创作。", trad)
    else:
        head = say(f"您要的是一首{form}，题目由我自拟，下面是我的创作。", trad)
    body = "\n".join(couplets(poem))
    tail = say("这首诗在格律上尽量遵循了近体诗的要求。如果您希望调整风格或换一个韵部，"
               "请告诉我。", trad)
    return f"{head}\n\n{body}\n\n{tail}\n"


def md_sections(poem: str, title: str, trad: bool) -> str:
    """Markdown answer: ### 作品 with the poem, ### 创作思路 with bullets."""
    lines = verse_lines(poem)
    parts = [say("### 作品", trad), ""]
    if title:
        parts += [f"**{_quoted_title(title)}**", ""]
    parts += [c + "  " for c in couplets(poem)]
    parts += [
        "",
        say("### 创作思路", trad),
        "",
        say("- **意象选择**：以眼前景物为线索，由近及远层层铺陈。", trad),
        say("- **结构安排**：前半写景，后半抒怀，情景交融。", trad),
        say("- **收束方式**：以「", trad) + lines[-1] + say("」作结，留有余味。", trad),
        say(f"- **格律**：采用{_form(poem)}体式，偶句押平声韵。", trad),
    ]
    return "\n".join(parts) + "\n"


def quote_bold_title(poem: str, title: str, trad: bool) -> str:
    """The poem in a blockquote; the bold title is the first line of the quote."""
    intro = say("好的，为你写了一首，请看：", trad)
    quote = []
    if title:
        quote += [f"> **{_quoted_title(title)}**", ">"]
    quote += [f"> {c}" for c in couplets(poem)]
    outro = say("整首诗语言平实，意境开阔，希望符合你的期待。", trad)
    return intro + "\n\n" + "\n".join(quote) + "\n\n" + outro + "\n"


def bracket_labels(poem: str, title: str, trad: bool) -> str:
    """【诗名】…【体裁】…【正文】 bracket-label layout (Doubao / ERNIE style)."""
    parts = []
    if title:
        parts.append(say("【诗名】", trad) + _quoted_title(title))
    else:
        parts.append(say("【诗名】无题", trad))
    parts.append(say(f"【体裁】{_form(poem)}", trad))
    parts.append(say("【正文】", trad))
    parts += couplets(poem)
    parts.append("")
    parts.append(say("【简析】全诗借景抒情，语言凝练，结尾处意境陡然开阔，表达了积极向上的情怀。", trad))
    return "\n".join(parts) + "\n"


def followup_offers(poem: str, title: str, trad: bool) -> str:
    """Poem, a comment, then a numbered list of three follow-up suggestions."""
    if title:
        intro = say("当然可以！这是一首题为", trad) + _quoted_title(title) + say("的诗：", trad)
    else:
        intro = say("当然可以！这是我为你写的一首诗：", trad)
    body = "\n".join(verse_lines(poem))
    comment = say("这首诗整体气象开阔，用词简练，适合朗诵。", trad)
    offers = say(
        "你还可以：\n"
        "1. 让我把它改写成词牌的形式，比如《浣溪沙》；\n"
        "2. 指定一个韵部，我来重新押韵；\n"
        "3. 请我为每一句配上白话翻译和注释。", trad)
    return f"{intro}\n\n{body}\n\n{comment}\n\n{offers}\n"


def emoji_talk(poem: str, title: str, trad: bool) -> str:
    """Chatty reply with emoji in the talk and around the title."""
    intro = say("🌸 好的！这就为你奉上一首小诗～", trad)
    parts = [intro, ""]
    if title:
        parts += [f"✨{_quoted_title(title)}✨", ""]
    parts += couplets(poem)
    parts += [
        "",
        say("📝 小贴士：朗读时可以在每句的第二、四字处稍作停顿，节奏感会更好哦！", trad),
        "",
        say("希望你喜欢 😊 如果想换个主题或风格，随时告诉我～ 💬", trad),
    ]
    return "\n".join(parts) + "\n"


def hr_sandwich(poem: str, title: str, trad: bool) -> str:
    """Horizontal rules directly above and below the poem."""
    if title:
        intro = say("好的，以下是以", trad) + _quoted_title(title) + say("为题创作的诗：", trad)
    else:
        intro = say("好的，以下是我创作的诗：", trad)
    body = "\n".join(couplets(poem))
    note = say("以上作品为原创，押平声韵。如需逐句讲解，欢迎继续提问。", trad)
    return f"{intro}\n\n---\n\n{body}\n\n---\n\n{note}\n"


def signed_dated(poem: str, title: str, trad: bool) -> str:
    """Title, poem, then a —— signature line and a date line."""
    parts = [say("好的，请欣赏：", trad), ""]
    if title:
        parts += [_quoted_title(title), ""]
    parts += couplets(poem)
    parts += [
        "",
        say("—— AI 助手 敬作", trad),
        say("甲辰年仲春 · 2024年3月", trad),
    ]
    return "\n".join(parts) + "\n"


def rhyme_tone_notes(poem: str, title: str, trad: bool) -> str:
    """Poem, then **韵脚**/**平仄**/**押韵** annotation lines."""
    lines = verse_lines(poem)
    width = len(lines[0]) if lines else 5
    pats = _PATTERNS.get(width, _PATTERNS[5])
    pattern = " / ".join(f"{a}，{b}" for a, b in (pats[i % 2] for i in range(len(couplets(poem)))))
    parts = []
    if title:
        parts += [say("这是我为您创作的", trad) + _quoted_title(title) + say("：", trad), ""]
    else:
        parts += [say("这是我为您创作的诗：", trad), ""]
    parts += couplets(poem)
    parts += [
        "",
        say("**韵脚**：", trad) + "、".join(_rhyme_chars(poem)),
        say("**平仄**：", trad) + say(pattern, trad),
        say("**押韵**：偶句押韵，一韵到底，未出韵。", trad),
    ]
    return "\n".join(parts) + "\n"


def english_md_fence(poem: str, title: str, trad: bool) -> str:
    """English talk; the poem inside a ```markdown fence with a # title."""
    if title:
        intro = f"Sure! Here's a classical Chinese poem titled {_quoted_title(title)}:"
    else:
        intro = "Sure! Here's a classical Chinese poem I wrote for you:"
    fence = ["```markdown"]
    if title:
        fence += [f"# {_quoted_title(title)}", ""]
    fence += [c + "  " for c in couplets(poem)]
    fence.append("```")
    outro = ("The poem follows the regulated-verse convention: the even lines rhyme, and the "
             "closing couplet turns from the scenery to a broader reflection. Let me know if "
             "you'd like a translation!")
    return intro + "\n\n" + "\n".join(fence) + "\n\n" + outro + "\n"


def couplet_gloss(poem: str, title: str, trad: bool) -> str:
    """Each couplet followed by an indented one-line gloss in parentheses."""
    cps = couplets(poem)
    names = _lian_names(len(cps))
    glosses = [
        "起笔写景，点明时间与地点。",
        "承接上文，视野由近及远。",
        "笔锋一转，由景入情。",
        "收束全篇，寄托情怀。",
    ]
    if title:
        parts = [say("为你创作", trad) + _quoted_title(title) + say("如下，并附简要释义：", trad), ""]
    else:
        parts = [say("为你创作一首诗如下，并附简要释义：", trad), ""]
    for i, (c, name) in enumerate(zip(cps, names)):
        g = glosses[min(i, len(glosses) - 1)] if len(cps) > 2 else glosses[0 if i == 0 else 3]
        parts.append(c)
        parts.append("    " + say(f"（{name}：{g}）", trad))
        parts.append("")
    parts.append(say("希望这些释义能帮助你理解全诗。", trad))
    return "\n".join(parts) + "\n"


def kimi_quote_reading(poem: str, title: str, trad: bool) -> str:
    """Kimi style: 以下是为你创作的…：, one verse line per > line, then **解读：**."""
    lines = verse_lines(poem)
    form = _form(poem)
    if title:
        intro = say(f"以下是为你创作的一首{form}", trad) + _quoted_title(title) + say("：", trad)
    else:
        intro = say(f"以下是为你创作的一首{form}：", trad)
    quote = "\n".join(f"> {line}  " for line in lines)
    reading = (
        say("**解读：**\n\n开篇「", trad) + lines[0]
        + say("」即勾勒出辽阔的画面，随后层层推进；结尾由景入理，"
              "寄寓了不断进取的人生态度。全诗对仗工整，音韵和谐。", trad)
    )
    return f"{intro}\n\n{quote}\n\n{reading}\n"


BLIND: dict[str, Wrapper] = {
    "restate_request": restate_request,
    "md_sections": md_sections,
    "quote_bold_title": quote_bold_title,
    "bracket_labels": bracket_labels,
    "followup_offers": followup_offers,
    "emoji_talk": emoji_talk,
    "hr_sandwich": hr_sandwich,
    "signed_dated": signed_dated,
    "rhyme_tone_notes": rhyme_tone_notes,
    "english_md_fence": english_md_fence,
    "couplet_gloss": couplet_gloss,
    "kimi_quote_reading": kimi_quote_reading,
}
