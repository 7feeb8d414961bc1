"""The 词谱 derived from the 全宋词 (poetbench/cipu.py, tools/build_cipu.py) against the facts of
the 词 books (龙榆生《唐宋词格律》, 钦定词谱), and 词林正韵 (poetbench/phonology/cilin.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import CORPUS, REPO
from poetbench import cipu
from poetbench.phonology import cilin

# What the books say of twelve common tunes' main forms: the total length, the line lengths, each
# rhyme set (its lines and tone class) and the 叠句. 仄 sets whose poets wrote 入 or 上去 are
# given as one of those where the books require it (忆秦娥, 一斛珠: 入声).
BOOK = {
    "浣溪沙": (42, (7, 7, 7, 7, 7, 7), [((1, 2, 3, 5, 6), "平")], ()),
    "水调歌头": (95, (5, 5, 6, 5, 6, 6, 5, 5, 5, 3, 3, 3, 4, 7, 6, 6, 5, 5, 5),
             [((2, 4, 7, 9, 12, 14, 17, 19), "平")], ()),
    "菩萨蛮": (44, (7, 7, 5, 5, 5, 5, 5, 5), [((1, 2), "仄"), ((3, 4), "平"), ((5, 6), "仄"), ((7, 8), "平")], ()),
    "西江月": (50, (6, 6, 7, 6, 6, 6, 7, 6), [((2, 3, 4, 6, 7, 8), "平仄通叶")], ()),
    "如梦令": (33, (6, 6, 5, 6, 2, 2, 6), [((1, 2, 4, 5, 6, 7), "仄")], ((6, "same"),)),
    "忆秦娥": (46, (3, 7, 3, 4, 4, 7, 7, 3, 4, 4), [((1, 2, 3, 5, 6, 7, 8, 10), "入")], ((3, "tail"), (8, "tail"))),
    "清平乐": (46, (4, 5, 7, 6, 6, 6, 6, 6), [((1, 2, 3, 4), "仄"), ((5, 6, 8), "平")], ()),
    "虞美人": (56, (7, 5, 7, 9, 7, 5, 7, 9), [((1, 2), "仄"), ((3, 4), "平"), ((5, 6), "仄"), ((7, 8), "平")], ()),
    "鹧鸪天": (55, (7, 7, 7, 7, 3, 3, 7, 7, 7), [((1, 2, 4, 6, 7, 9), "平")], ()),
    "临江仙": (60, (7, 6, 7, 5, 5, 7, 6, 7, 5, 5), [((2, 3, 5, 7, 8, 10), "平")], ()),
    "卜算子": (44, (5, 5, 7, 5, 5, 5, 7, 5), [((2, 4, 6, 8), "仄")], ()),
    "江城子": (70, (7, 3, 3, 4, 5, 7, 3, 3, 7, 3, 3, 4, 5, 7, 3, 3), [((1, 2, 3, 5, 8, 9, 10, 11, 13, 16), "平")], ()),
    "一斛珠": (57, (4, 7, 7, 4, 5, 7, 7, 7, 4, 5), [((1, 2, 3, 5, 6, 7, 8, 10), "入")], ()),
}
OBLIQUE = {"仄", "上去", "入"}
# Lines whose 平仄 the books fix, with a famous line of the tune: the derived marks may say 中
# where a book fixes a position, never the other tone.
BOOK_LINES = {
    ("浣溪沙", 2): "中平中仄仄平平",  # 去年天气旧亭台
    ("浣溪沙", 4): "中仄中平平仄仄",  # 无可奈何花落去
    ("菩萨蛮", 1): "中平中仄平平仄",  # 平林漠漠烟如织
    ("菩萨蛮", 3): "中仄仄平平",  # 暝色入高楼
    ("菩萨蛮", 4): "中平中仄平",  # 有人楼上愁
    ("西江月", 2): "中平中仄平平",  # 清风半夜鸣蝉
    ("西江月", 3): "中平中仄仄平平",  # 稻花香里说丰年
    ("水调歌头", 2): "中仄仄平平",  # 把酒问青天
    ("鹧鸪天", 2): "中平中仄仄平平",  # 当年拚却醉颜红
    ("临江仙", 1): "中仄中平平仄仄",  # 滚滚长江东逝水
    ("临江仙", 2): "中平中仄平平",  # 浪花淘尽英雄
    ("卜算子", 1): "中仄仄平平",  # 缺月挂疏桐
    ("卜算子", 2): "中仄平平仄",  # 漏断人初静
    ("江城子", 2): "仄平平",  # 左牵黄
}


@pytest.mark.parametrize("name", sorted(BOOK))
def test_the_main_form_of_a_common_tune_is_the_books(name):
    length, lines, rhyme_sets, repeats = BOOK[name]
    form = cipu.tune(name).forms[0]
    assert (form.length, form.lines) == (length, lines)
    assert len(form.marks) == length == sum(form.lines)
    assert [s.lines for s in form.rhyme_sets] == [lines_ for lines_, _ in rhyme_sets]
    for derived, (_, tone) in zip(form.rhyme_sets, rhyme_sets):
        assert derived.tone == tone or (tone == "仄" and derived.tone in OBLIQUE), (name, derived)
        assert all(derived.required)
    assert form.repeats == repeats


def test_the_marks_never_contradict_the_books():
    agree = fixed = 0
    for (name, line), book in BOOK_LINES.items():
        derived = cipu.tune(name).forms[0].line_marks()[line - 1]
        assert len(derived) == len(book)
        for want, got in zip(book, derived):
            if want != cipu.EITHER:
                assert got in (want, cipu.EITHER), (name, line, book, derived)
                fixed += 1
                agree += got == want
    assert agree / fixed >= 0.9  # a book's fixed position is fixed here too, nearly always


def test_a_changing_rhyme_tune_has_a_level_and_an_oblique_set_in_turn():
    """换韵: 菩萨蛮, 减字木兰花 and 虞美人 turn 仄, 平, 仄, 平 every two lines."""
    for name in ("菩萨蛮", "减字木兰花", "虞美人"):
        sets = cipu.tune(name).forms[0].rhyme_sets
        assert [s.lines for s in sets] == [(1, 2), (3, 4), (5, 6), (7, 8)]
        assert [s.tone == "平" for s in sets] == [False, True, False, True]


def test_xijiangyue_rhymes_level_and_oblique_in_one_set():
    (rhyme_set,) = cipu.tune("西江月").forms[0].rhyme_sets
    assert rhyme_set.tones == ("平", "平", "仄", "平", "平", "仄")


def test_other_forms_and_other_names():
    assert cipu.tune("酹江月").name == cipu.tune("《念奴娇·赤壁怀古》").name == "念奴娇"
    assert cipu.tune("望江南").name == "忆江南" and cipu.tune("一剪梅").name == "一翦梅"
    assert [f.length for f in cipu.tune("忆江南").forms] == [54, 27]  # 双调, and the 单调 又一体
    assert [f.length for f in cipu.tune("临江仙").forms][:2] == [60, 58]
    assert cipu.tune("浣溪沙其二").name == "浣溪沙" and cipu.tune("七律") is None


def test_the_ci_pu_covers_the_common_tunes():
    tunes = cipu.tunes()
    assert len(tunes) >= 100
    assert all(f.n >= 5 and len(f.marks) == f.length for t in tunes.values() for f in t.forms)
    assert all(len(f.soft) == len(f.lines) - 1 for t in tunes.values() for f in t.forms)


def test_the_shipped_ci_pu_is_what_the_tool_builds(tmp_path):
    """tools/build_cipu.py on the corpus writes the resource to the byte (about 3 s)."""
    if not (CORPUS / "songci").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: put chinese-poetry there or set POETBENCH_CORPUS")
    out = tmp_path / "cipu.json.gz"
    subprocess.run([sys.executable, str(REPO / "tools" / "build_cipu.py"), "--corpus", str(CORPUS), "-o", str(out)],
                   check=True, capture_output=True)
    assert out.read_bytes() == cipu.RESOURCE.read_bytes()


# 词林正韵

def test_cilin_has_nineteen_parts_five_of_them_entering():
    parts = {part: {tone for char in "东江支鱼开真寒萧歌麻庚尤侵覃屋觉质月合" for part_, tone in cilin.rhymes(char)
                    if part_ == part} for part in range(1, 20)}
    assert len(cilin.NAMES) == 19
    assert [part for part, tones in parts.items() if tones == {cilin.ENTERING}] == [15, 16, 17, 18, 19]


@pytest.mark.parametrize("char, part", [
    ("东", 1), ("冬", 1), ("阳", 2), ("江", 2), ("微", 3), ("齐", 3), ("虞", 4), ("文", 6), ("先", 7), ("删", 7),
    ("豪", 8), ("歌", 9), ("麻", 10), ("青", 11), ("蒸", 11), ("尤", 12), ("侵", 13), ("盐", 14), ("屋", 15),
    ("药", 16), ("锡", 17), ("职", 17), ("雪", 18), ("杀", 18), ("法", 19), ("合", 19),
    # the split groups, by the modern reading (rule 2)
    ("开", 5), ("来", 5), ("灰", 3), ("回", 3), ("街", 5), ("鞋", 5), ("涯", 10), ("画", 10), ("怪", 5),
    ("外", 5), ("会", 3), ("对", 3), ("代", 5), ("元", 7), ("园", 7), ("门", 6), ("魂", 6), ("远", 7), ("本", 6),
    ("万", 7), ("恨", 6), ("叶", 18), ("蝶", 18),
])
def test_a_characters_part(char, part):
    assert part in {p for p, _ in cilin.rhymes(char)}


def test_oblique_and_level_readings_keep_their_class():
    assert set(cilin.rhymes("看")) == {(7, cilin.LEVEL), (7, cilin.OBLIQUE)}
    assert cilin.rhymes("董") == ((1, cilin.OBLIQUE),) and cilin.rhymes("送") == ((1, cilin.OBLIQUE),)


def test_lenient_rhymes_across_the_neighbours_strict_does_not():
    assert cilin.family(6) == {6, 11, 13} and cilin.family(6, "strict") == {6}
    assert cilin.family(3) == {3, 5} and cilin.family(17) == {17, 18, 19}
    assert cilin.family(1) == {1}
    with pytest.raises(ValueError, match="lenient, strict"):
        cilin.family(1, "loose")


def test_the_hundred_commonest_tunes_of_the_corpus_are_all_there():
    if not (CORPUS / "songci").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: put chinese-poetry there or set POETBENCH_CORPUS")
    from collections import Counter

    from poetbench.data.chinese_poetry import iter_ci

    from poetbench.cipu_derive import NOT_TUNES

    counts = Counter(cipu.corpus_name(ci["rhythmic"]) for ci in iter_ci(CORPUS))
    for label in NOT_TUNES:
        del counts[label]
    assert [name for name, _ in counts.most_common(100) if cipu.tune(name) is None] == []
