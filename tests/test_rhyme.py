from poetbench.metrics import rhyme
from poetbench.phonology.book import get_book
from poetbench.text.lines import split_lines


def check(text, book="pingshui"):
    b = get_book(book)
    lines = split_lines(text)
    return rhyme.check(lines, b.poem_tones(lines), b, detail=True)


def test_even_lines_rhyme_in_one_group():
    got = check("白日依山尽，黄河入海流。欲穷千里目，更上一层楼。")
    assert got.ok and got.rate == 1.0 and got.group == "下平十一尤" and got.rhyming_lines == [2, 4]


def test_first_line_may_rhyme_or_borrow_a_neighbour():
    got = check("朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。")
    assert got.ok and got.rhyming_lines == [1, 2, 4] and not got.borrowed
    # 中 (一东) opens, 冬 group (二冬) rhymes: 首句借邻韵.
    got = check("风吹雪满中，松柏自青松。高卧闻山雨，寒声出远钟。")
    assert got.ok and got.borrowed and got.group == "上平二冬"


def test_oblique_and_mixed_endings_fail():
    got = check("春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。")  # 仄韵 古绝
    assert not got.ok and got.group is None and got.rate == 0.0
    got = check("白日依山尽，黄河入海流。欲穷千里目，更上一层天。")
    assert not got.ok and got.rate == 0.5


def test_first_line_in_ping_that_does_not_rhyme_fails():
    got = check("白日依山西，黄河入海流。欲穷千里目，更上一层楼。")
    assert not got.ok and "line 1" in got.reasons[0]


def test_xinyun_book():
    got = check("床前明月光，疑是地上霜。举头望明月，低头思故乡。", book="xinyun")
    assert got.ok and got.group == "十唐"


def test_cui_in_ten_hui_lets_huixiang_ouzhu_rhyme(scorer):
    # 贺知章《回乡偶书》: 回 / 衰 (cuī) / 来 rhyme in 上平十灰. 回 has a 仄 reading too, so the
    # table leaves it undecided; the first line still rhymes, since one reading is in the group.
    analysis = scorer.analyse("少小离家老大回，乡音无改鬓毛衰。儿童相见不相识，笑问客从何处来。")
    assert analysis.codes[0][-1] == "A"
    assert analysis.record["rhyme_ok"] is True and analysis.record["rhyme_group"] == "上平十灰"
    assert analysis.rhyme.rhyming_lines == [1, 2, 4] and analysis.rhyme.first_rhymes


def test_undecided_first_line_end_that_cannot_rhyme_is_read_as_unrhymed():
    book = get_book("pingshui")
    lines = ["白日依山過", "黃河入海流", "欲窮千里目", "更上一層樓"]  # 過: 五歌 or 仄, never 十一尤
    codes = book.poem_tones(lines)
    assert codes[0][-1] == "A"
    result = rhyme.check(lines, codes, book, detail=True)
    assert result.ok is True and not result.first_rhymes and result.rhyming_lines == [2, 4]
