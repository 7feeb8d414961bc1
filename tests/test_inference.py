"""多音字 settled for display: by position in regulated verse, then by usual reading; ○ otherwise."""

from poetbench.display import tone_lines
from poetbench.phonology import inference
from poetbench.phonology.book import get_book

HUIXIANG = "少小离家老大回，乡音无改鬓毛衰。儿童相见不相识，笑问客从何处来。"


def test_position_settles_an_undecided_character_the_check_read_as_its_pattern_wants(scorer):
    analysis = scorer.analyse(HUIXIANG)
    assert analysis.codes[0][6] == "A"  # 回: the table has 平 and 仄
    assert analysis.shown[0][6] == "P" and analysis.how[0][6] == inference.POSITION  # it rhymes
    assert analysis.codes[3][3] == "A" and analysis.shown[3][3] == "P"  # 从 at a 平 position
    # Scores never use inferred tones.
    assert scorer.score(HUIXIANG)["tone_violations"] == []


def test_usual_reading_settles_free_positions_and_text_that_is_not_regulated():
    usual = inference.usual_readings()
    assert usual["不"] == "Z" and usual["中"] == "P"
    assert usual["应"] == usual["應"] == "P"  # both scripts
    book = get_book("pingshui")
    assert tone_lines(["不知"], book) == ["仄平"]
    # 看 is read both ways in Tang verse (no usual reading): alone it stays undecided.
    assert "看" not in usual and tone_lines(["看"], book) == ["○"]


def test_a_poem_that_does_not_follow_its_patterns_gets_no_position_readings(scorer):
    # A shuffled 回乡偶书: the shape is regulated, the tones are not.
    analysis = scorer.analyse("来家何离回大不，童问衰小毛儿乡。见相老改笑从无，处音相少鬓客识。")
    assert analysis.tone.conformity < inference.FOLLOWS
    assert inference.POSITION not in "".join(analysis.how)


def test_inferred_tones_never_contradict_the_check(tang, scorer):
    # Where the check accepted an undecided character at a constrained position, the view shows
    # the tone the pattern wants (or ○): never the usual reading against it.
    from poetbench.phonology.patterns import constrained

    for text in tang[::400]:
        analysis = scorer.analyse(text)
        if analysis.tone is None or analysis.tone.conformity < inference.FOLLOWS:
            continue
        size = len(analysis.codes[0])
        for line, shown, how, want in zip(analysis.codes, analysis.shown, analysis.how, analysis.tone.expected):
            for p in constrained(size, False):
                if line[p] == "A":
                    assert how[p] == inference.POSITION and shown[p] == want[p], text


def test_tones_reads_a_block_as_one_poem():
    book = get_book("pingshui")
    block = ["少小离家老大回，乡音无改鬓毛衰。", "儿童相见不相识，笑问客从何处来。"]
    assert tone_lines(block, book) == ["仄仄平平仄仄平，平平平仄仄平平。", "平平平仄仄平仄，仄仄仄平平仄平。"]
    colored = tone_lines(block, book, color=True)[0]
    assert "\x1b[2m平\x1b[0m" in colored  # inferred tones are dim on a terminal
