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

The prompt fields come from the input row: ``kind``, ``prompt``, ``form``, ``keywords`` and, for
a continuation, ``given`` (the given line; when absent, the last line of ``prompt``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from poetbench.text.lines import split_lines
from poetbench.text.script import simplify_chars

KINDS = ("continuation", "topic", "form", "free")
PROMPT_FIELDS = frozenset(("kind", "prompt", "form", "keywords", "given"))  # input-row fields read

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

    @classmethod
    def from_row(cls, row: dict) -> "Prompt | None":
        """The prompt fields of an input row; None when it has none."""
        if PROMPT_FIELDS.isdisjoint(row):
            return None
        keywords = row.get("keywords") or []
        if isinstance(keywords, str):
            keywords = [keywords]
        return cls(kind=row.get("kind"), text=row.get("prompt"), form=row.get("form"),
                   keywords=[str(k) for k in keywords], given=row.get("given"))

    def given_line(self) -> str | None:
        """The line a continuation prompt gives: ``given``, else the last line of the prompt."""
        source = self.given or self.text
        lines = split_lines(simplify_chars(source)) if source else []
        return lines[-1] if lines else None


def adherence(prompt: Prompt | None, lines: list[str], form_ok: bool) -> float | None:
    """The adherence of a poem (its Simplified lines) to ``prompt``."""
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
        continues = given not in lines and all(len(line) == len(given) for line in lines)
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
