"""词林正韵: the rhyme book of 词, its 19 部 derived from the 平水韵 table poetbench already reads.

Rules:

1. **Nineteen 部.** 14 舒声 部 (1–14) each hold a 平 group and its 上 and 去 groups, which 词
   rhyme as one 仄 class (上去); 5 入声 部 (15–19). ``GROUPS`` lists which 平水韵 groups each 部
   takes, by their rhyme character (东, 董, 送 …).
2. **Split groups.** Eleven 平水韵 groups fall into two 部, and a character's usual modern
   reading (pypinyin's first: 会 huì, not kuài) says which: 佳 蟹 卦 go to 第十部 with a final a, ia or ua, else
   to 第五部; 灰 贿 队 泰 to 第五部 with a final ai or uai, else to 第三部; 元 阮 愿 to 第七部
   with a final in -an, else to 第六部; 叶 to 第十九部 with a final a or ia, else to 第十八部.
3. **A character's rhymes** are every (部, tone class) its 平水韵 readings give: tone class
   平, 上去 or 入 (``LEVEL``, ``OBLIQUE``, ``ENTERING``). 看 has (7, 平) and (7, 上去).
4. **Two modes.** ``strict``: two characters rhyme when they share a 部. ``lenient`` (the
   default, as Song poets wrote): also across the neighbouring 部 that 词 commonly 通押,
   ``NEIGHBOURS``: -n with -ng and -m (6, 11, 13), -an with -am (7, 14), 灰 with 咍 (3, 5),
   屋沃 with 觉药 (15, 16), and the 入声 of -t, -k and -p (17, 18, 19).
"""

from __future__ import annotations

from functools import lru_cache

from poetbench.phonology import modern, pingshui

LEVEL, OBLIQUE, ENTERING = "平", "上去", "入"
MODES = ("lenient", "strict")
NAMES = ("第一部 第二部 第三部 第四部 第五部 第六部 第七部 第八部 第九部 第十部 第十一部 第十二部 "
         "第十三部 第十四部 第十五部 第十六部 第十七部 第十八部 第十九部").split()

GROUPS = {  # 部 -> the 平水韵 groups it takes whole, by rhyme character; split groups in SPLITS
    1: "东冬董肿送宋", 2: "江阳讲养绛漾", 3: "支微齐纸尾荠寘未霁", 4: "鱼虞语麌御遇", 5: "",
    6: "真文轸吻震问", 7: "寒删先旱潸铣翰谏霰", 8: "萧肴豪筿筱巧皓啸效号", 9: "歌哿个", 10: "麻马祃",
    11: "庚青蒸梗迥敬径", 12: "尤有宥", 13: "侵寝沁", 14: "覃盐咸感琰豏勘艳陷",
    15: "屋沃", 16: "觉药", 17: "质陌锡职缉", 18: "物月曷黠屑", 19: "合洽",
}
SPLITS = {  # group -> (finals that send a character to the first 部, that 部, the other 部)
    **dict.fromkeys("佳蟹卦", (("a", "ia", "ua"), 10, 5)),
    **dict.fromkeys("灰贿队泰", (("ai", "uai"), 5, 3)),
    **dict.fromkeys("元阮愿", (("an", "ian", "uan", "van"), 7, 6)),
    "叶": (("a", "ia"), 19, 18),
}
NEIGHBOURS = ((6, 11, 13), (7, 14), (3, 5), (15, 16), (17, 18, 19))

_WHOLE = {char: part for part, chars in GROUPS.items() for char in chars}


def tone_class(group: str) -> str:
    """平, 上去 or 入 of a 平水韵 group name (上平一东, 去声一送, 入声一屋)."""
    return LEVEL if group[1] == "平" else ENTERING if group.startswith("入") else OBLIQUE


def part_of(char: str, group: str) -> int:
    """The 部 of ``char`` read in 平水韵 ``group`` (rule 2 for the split groups)."""
    key = group[-1]
    if key in _WHOLE:
        return _WHOLE[key]
    first_finals, first, other = SPLITS[key]
    readings = modern.finals(char)
    return first if readings and readings[0][1] in first_finals else other


@lru_cache(maxsize=None)
def rhymes(char: str) -> tuple[tuple[int, str], ...]:
    """Every (部, tone class) of ``char`` (rule 3); () for a character the 平水韵 table lacks."""
    readings = pingshui.load_readings().get(char, ())
    return tuple(dict.fromkeys((part_of(char, r.group), tone_class(r.group)) for r in readings))


@lru_cache(maxsize=None)
def family(part: int, mode: str = "lenient") -> frozenset[int]:
    """The 部 that rhyme with ``part`` in ``mode`` (rule 4); always includes ``part``."""
    if mode not in MODES:
        raise ValueError(f"unknown 词林正韵 mode {mode!r}: choose one of {', '.join(MODES)}")
    if mode == "strict":
        return frozenset((part,))
    return frozenset((part, *(p for group in NEIGHBOURS if part in group for p in group)))


def name(part: int) -> str:
    return NAMES[part - 1]
