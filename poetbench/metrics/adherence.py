"""Adherence: does the poem do what the prompt asked? One rule per prompt kind.

===============  ==============================================================================
kind             ``adherence``
===============  ==============================================================================
continuation     1.0 when the poem starts with the given line, or continues from it (does not
                 repeat it, and every line has the given line's length); else 0.0
topic            the share of the prompt's keywords that appear in the poem, directly or through
                 their imagery (``IMAGERY``: 秋 → 霜, 雁, 枫, …)
form             1.0 when ``form_ok`` (the requested form), else 0.0
free, or none    None
===============  ==============================================================================

The prompt fields come from the input row: ``kind``, ``prompt``, ``form``, ``cipai``, ``keywords``
and, for a continuation, ``given`` (the given line; when absent, the last line of ``prompt``). A
kind is read in any case (``Topic``); a form by any name ``forms.form_key`` knows (``七律``,
``WUJUE``). A 词 is asked for by its tune: ``form`` or ``cipai`` naming one (``如梦令``), or a
prompt that names one in 《》 (``填一首《如梦令》``) or after 一首, 调寄 or 词牌 (``填一首浣溪沙``);
the prompt's ``form`` is then ``ci`` and its ``cipai`` the tune. A row with neither ``form`` nor
``cipai`` is asked what its ``prompt`` text names (``forms.form_in_text``: ``以秋为题，作一首七律``
asks for a 七律); a prompt that asks for a 诗 form names no tune, whatever its 《》 hold
(``以《出塞》为题，写一首七言绝句`` is a 七绝 titled 出塞, not the tune 出塞, 谒金门). The score
record says what was asked in ``requested_form``. A 词 continuation continues when it does not repeat the given line (its lines
are the tune's, not the given line's length).

The row is the user's, and a field of the same name may mean something else (``"kind": "base"``).
A value poetbench does not know — a kind or form it cannot name, ``keywords`` that are not text
or a list of texts, a ``prompt`` or ``given`` that is not text — is ignored, as if the field were
absent, and ``read_prompt`` returns it, so that ``score`` says so once per file; the row is still
scored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from poetbench import cipu
from poetbench.forms import CI, form_in_text, form_key
from poetbench.metrics.context import Poems
from poetbench.text.lines import verse_lines
from poetbench.text.script import simplify_chars

KINDS = ("continuation", "topic", "form", "free")
PROMPT_FIELDS = frozenset(("kind", "prompt", "form", "cipai", "keywords", "given"))  # input-row fields read
_NAMED = re.compile(r"《([^《》]{1,12})》")
_AFTER_ASKING = re.compile(r"(?:一首|一阕|一阙|调寄|词牌[:：]?)\s*([\u4e00-\u9fff]{2,8})")

# Imagery that stands for a topic word in classical verse (Simplified).
IMAGERY = {
    "春": ("花", "柳", "燕", "莺", "东风", "桃", "芳", "草"),
    "夏": ("荷", "蝉", "莲", "暑", "薰风"),
    "秋": ("霜", "雁", "枫", "菊", "落叶", "西风", "寒蝉", "桂"),
    "冬": ("雪", "寒", "冰", "梅", "朔风"),
    "月": ("婵娟", "玉盘", "蟾", "桂", "清辉", "明月"),
    "山": ("峰", "岭", "岩", "峦", "嶂"),
    "水": ("江", "河", "湖", "溪", "波", "流"),
    "江": ("水", "波", "舟", "浪", "流"),
    "雨": ("霖", "滴", "湿", "云"),
    "雪": ("寒", "白", "冰", "絮"),
    "花": ("芳", "红", "蕊", "香", "春"),
    "酒": ("杯", "醉", "樽", "觞", "饮"),
    "乡": ("故园", "归", "家", "故乡", "家书", "故国"),
    "思乡": ("故乡", "归", "家", "乡", "故园", "家书"),
    "别": ("离", "送", "柳", "长亭", "远", "去"),
    "离别": ("别", "送", "柳", "长亭", "远", "去"),
    "边塞": ("关", "胡", "烽", "戍", "塞", "征", "沙", "将军"),
    "梅": ("雪", "香", "寒", "疏影"),
    "柳": ("丝", "絮", "杨", "折柳"),
    "风": ("吹", "飘", "拂"),
    "夜": ("月", "星", "灯", "宵", "烛"),
    "舟": ("船", "帆", "棹", "渡"),
    "鸟": ("雁", "莺", "燕", "鹤", "鸥", "禽"),
}


@dataclass
class Prompt:
    """What a prompt asked for: the fields of an eval-set row that drive adherence."""

    kind: str | None = None
    text: str | None = None
    form: str | None = None
    keywords: list[str] = field(default_factory=list)
    given: str | None = None
    cipai: str | None = None  # the tune a 词 request names (its 词谱 name)

    @classmethod
    def from_row(cls, row: dict) -> "Prompt | None":
        """The prompt fields of an input row; None when it has none. Values it does not know are
        ignored (module docstring; ``read_prompt`` also returns them)."""
        return read_prompt(row)[0]

    def given_line(self) -> str | None:
        """The line a continuation prompt gives: ``given``, else the last line of the prompt."""
        source = self.given or self.text
        lines = verse_lines(simplify_chars(source)) if source else []
        return lines[-1] if lines else None


def kind_key(kind) -> str | None:
    """The prompt kind named by ``kind`` in any case (``Topic`` → ``topic``); None for anything else."""
    if not isinstance(kind, str):
        return None
    kind = kind.strip().lower()
    return kind if kind in KINDS else None


def _keywords(value) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(k, str) for k in value):
        return value
    return None


def read_prompt(row: dict) -> tuple[Prompt | None, dict[str, object]]:
    """``(prompt, ignored)``: the prompt fields of an input row (None when it has none) and, by
    field, each value given that poetbench does not know and so ignored (module docstring)."""
    if PROMPT_FIELDS.isdisjoint(row):
        return None, {}
    ignored: dict[str, object] = {}

    def known(name: str, read):
        value = row.get(name)
        if value is None:
            return None
        got = read(value)
        if got is None:
            ignored[name] = value
        return got

    text = lambda value: value if isinstance(value, str) else None  # noqa: E731
    prompt = Prompt(kind=known("kind", kind_key), text=known("prompt", text), form=known("form", form_key),
                    keywords=known("keywords", _keywords) or [], given=known("given", text),
                    cipai=known("cipai", tune_name))
    if prompt.form == CI and prompt.cipai is None:
        prompt.cipai = tune_name(row["form"]) or named_tune(prompt.text)
    elif prompt.form is None and prompt.cipai is None and prompt.text:  # the request read from its text
        asked = form_in_text(prompt.text)
        prompt.cipai = named_tune(prompt.text) if asked in (None, CI) else None
        prompt.form = asked
    if prompt.cipai and prompt.form is None:
        prompt.form = CI
    return prompt, ignored


def tune_name(name) -> str | None:
    """The 词谱 name of the tune ``name`` names (``如夢令``, ``《念奴娇·赤壁怀古》``), or None."""
    found = cipu.tune(simplify_chars(name)) if isinstance(name, str) else None
    return found.name if found else None


def named_tune(text: str | None) -> str | None:
    """The first tune a prompt names in 《》 (``填一首《如梦令》``), else right after 填一首, 调寄 or
    词牌 (``填一首浣溪沙``: the longest name there), or None."""
    for name in _NAMED.findall(text or ""):
        if found := tune_name(name):
            return found
    for words in _AFTER_ASKING.findall(text or ""):
        for size in range(len(words), 1, -1):
            if found := tune_name(words[:size]):
                return found
    return None


def adherence(prompt: Prompt | None, lines: list[str], form_ok: bool, form: str | None = None) -> float | None:
    """The adherence of a poem (its Simplified lines, its ``form``) to ``prompt``."""
    if prompt is None or prompt.kind in (None, "free"):
        return None
    if prompt.kind == "form":
        return float(form_ok) if prompt.form else None
    if not lines:
        return 0.0
    if prompt.kind == "continuation":
        given = prompt.given_line()
        if not given:
            return None
        continues = given not in lines and (form == CI or all(len(line) == len(given) for line in lines))
        return float(lines[0] == given or continues)
    if prompt.kind == "topic":
        keywords = [simplify_chars(k) for k in prompt.keywords if k]
        if not keywords:
            return None
        text = "".join(lines)
        return sum(k in text or any(i in text for i in IMAGERY.get(k, ())) for k in keywords) / len(keywords)
    return None


def drop_given_line(prompt: Prompt | None, lines: list[str]) -> list[str]:
    """For a continuation that starts with the given line, the lines after it (for copy metrics)."""
    if prompt is not None and prompt.kind == "continuation" and lines:
        given = prompt.given_line()
        if given and lines[0] == given:
            return lines[1:]
    return lines


def measure(poems: Poems) -> dict[str, list]:
    """``adherence`` of each poem (its Simplified lines) to its prompt; reads ``form_ok`` and ``form``."""
    return {"adherence": [adherence(prompt, lines, form_ok, form) for prompt, lines, form_ok, form
                          in zip(poems.prompts, poems.simplified.poems, poems.column("form_ok"), poems.column("form"))]}
