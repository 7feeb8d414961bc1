"""平仄 rules on tone codes (P 平, Z 仄, A either, ? unknown), then on real poems."""

from poetbench.metrics import tone_pattern as tp
from poetbench.phonology.patterns import base_pattern

# 仄起首句不入韵, five characters: a b c d.
GOOD = ["ZZPPZ", "PPZZP", "PPPZZ", "ZZZPP"]


def rules(result):
    return [(v["line"], v["pos"], v["rule"]) for v in result.violations]


def test_base_patterns_pass_in_both_modes():
    for strict in (False, True):
        result = tp.check(GOOD, strict=strict)
        assert result.ok is True and result.conformity == 1.0 and result.template == "仄起首句不入韵"


def test_seven_character_template_names_follow_the_second_character():
    result = tp.check([base_pattern(k, 7) for k in "dbcd"])
    assert result.ok and result.template == "平起首句入韵"


def test_free_positions_pass_lenient_but_not_strict():
    poem = ["PZPPZ"] + GOOD[1:]  # first character of line 1 changed (一三五不论)
    assert tp.check(poem).ok is True
    assert rules(tp.check(poem, strict=True)) == [(1, 1, "pattern")]


def test_gu_ping_is_a_violation_and_its_self_rescue_is_accepted():
    assert rules(tp.check(["ZZPPZ", "ZPZZP", "PPPZZ", "ZZZPP"])) == [(2, 1, "gu_ping")]  # 仄平仄仄平
    assert tp.check(["ZZPPZ", "ZPPZP", "PPPZZ", "ZZZPP"]).ok is True  # 仄平平仄平: 孤平拗救


def test_san_ping_wei():
    assert rules(tp.check(["ZZPPZ", "PPZZP", "PPPZZ", "ZZPPP"])) == [(4, 3, "san_ping_wei")]


def test_te_ao_accepted_lenient_only():
    poem = ["ZZPPZ", "PPZZP", "PPZPZ", "ZZZPP"]  # line 3 平平仄平仄
    result = tp.check(poem)
    assert result.ok is True and result.accepted == [{"line": 3, "pos": 4, "form": "te_ao"}]
    assert not tp.check(poem, strict=True).ok
    assert not tp.check(["ZZPPZ", "PPZZP", "ZPZPZ", "ZZZPP"]).ok  # needs 平 before the swap


def test_duiju_rescue_needs_the_next_line():
    rescued = ["ZZPZZ", "PPPZP", "PPPZZ", "ZZZPP"]  # 仄仄平仄仄 saved by 平平平仄平
    assert tp.check(rescued).ok is True
    assert tp.check(rescued).accepted == [{"line": 1, "pos": 4, "form": "duiju_jiu"}]
    assert rules(tp.check(["ZZPZZ", "PPZZP", "PPPZZ", "ZZZPP"])) == [(1, 4, "pattern")]


def test_broken_nian_is_reported_once_where_it_happens():
    # The second couplet repeats the first: lines 3-4 are good lines, and 对 holds inside each
    # couplet; only line 3 fails to follow line 2.
    result = tp.check(["ZZPPZ", "PPZZP", "ZZPPZ", "PPZZP"])
    assert rules(result) == [(3, 2, "nian")] and result.kinds == ("a", "b", "a", "b")
    assert result.conformity == 18 / 19  # 16 positions, 2 孤平 and 2 三平尾 checks, 3 relations


def test_broken_dui_is_reported_on_the_couplets_second_line():
    result = tp.check(["ZZPPZ", "ZZZPP", "ZZPPZ", "PPZZP"])  # a d: both lines open 仄仄
    assert rules(result) == [(2, 2, "dui")]


def test_a_line_off_every_pattern_is_fan_lu_and_its_neighbours_stay_clean():
    # Line 3 (平仄仄仄仄) fits no pattern: it breaks a at 4 and c at 2. c keeps 粘 and 对, so the
    # line breaks its own pattern once and its relations hold: one violation, not three.
    result = tp.check(["ZZPPZ", "PPZZP", "PZZZZ", "ZZZPP"])
    assert rules(result) == [(3, 2, "pattern")] and result.kinds[2] == "c"


def test_a_line_that_fits_two_patterns_takes_the_one_that_keeps_nian_and_dui():
    # 仄平仄平仄 breaks a (at 2) and c (at 4) once each; after a b-line, 粘 wants c.
    result = tp.check(["ZZPPZ", "PPZZP", "ZPZPZ", "ZZZPP"])
    assert result.kinds[2] == "c" and rules(result) == [(3, 4, "pattern")]


def test_zheyao_quatrain_breaks_nian_at_line_3_and_nothing_else(scorer):
    # 王维《渭城曲》, a 折腰体 quatrain: lines 1-2 and 3-4 are each correct couplets.
    analysis = scorer.analyse("渭城朝雨浥轻尘，客舍青青柳色新。劝君更尽一杯酒，西出阳关无故人。")
    assert analysis.record["tone_violations"] == [{"line": 3, "pos": 2, "rule": "nian"}]
    assert analysis.tone.kinds == ("d", "b", "a", "b")


def test_poems_that_break_one_rule_are_named_by_that_rule(scorer):
    # Fixtures written for these tests; each breaks exactly one rule.
    cases = {
        "白日依山尽，万里一孤舟。落日千山暮，孤城万里秋。": [(2, 2, "dui")],  # 仄仄 then 仄仄
        "落日千山暮，高城在远秋。江上一孤鸟，飞来入水流。": [(3, 2, "nian")],
        "黄沙千里暮，客去不同归。明月照人静，一舟向远飞。": [(4, 1, "gu_ping")],  # 仄平仄仄平
        "黄沙千里暮，客去何时归。明月照人静，孤舟向远飞。": [(2, 3, "san_ping_wei")],  # 仄仄平平平
        "黄沙千里暮，客去不同归。明月照人静，孤舟向远飞。": [],
    }
    for text, expected in cases.items():
        assert rules(scorer.analyse(text).tone) == expected, text


def test_each_accepted_rescue_is_named(scorer):
    cases = {
        "向晚意不适，驱车登古原。夕阳无限好，只是近黄昏。": (1, 4, "duiju_jiu"),  # 李商隐: 仄仄仄仄仄 / 平平平仄平
        "移舟泊烟渚，日暮客愁新。野旷天低树，江清月近人。": (1, 4, "te_ao"),  # 孟浩然: 平平仄平仄
        "少小离家老大回，乡音无改鬓毛衰。儿童相见不相识，笑问客从何处来。": (4, 5, "gu_ping_jiu"),  # 仄仄仄平平仄平
    }
    for text, (line, pos, form) in cases.items():
        result = scorer.analyse(text).tone
        assert result.ok is True, (text, result.violations)
        assert {"line": line, "pos": pos, "form": form} in result.accepted, text
    assert tp.check(["ZZPPZ", "ZPPZP", "PPPZZ", "ZZZPP"]).accepted == [{"line": 2, "pos": 3, "form": "gu_ping_jiu"}]


def test_undecided_fits_either_and_unknown_is_not_guessed():
    assert tp.check(["AAAAZ", "AAAAP", "AAAAZ", "AAAAP"]).ok is True
    result = tp.check(["ZZPP?", "PPZZP", "PPPZZ", "ZZZPP"])
    assert result.ok is None and result.conformity == 1.0


def test_not_regulated_shape_is_not_checked():
    assert tp.check(["ZZPPZ", "PPZZP", "PPPZZ"]) is None
    assert tp.check(["ZZPPZZ"] * 4) is None
    assert tp.check([]) is None


def test_canonical_poems_pass_lenient_and_break_strict(scorer, strict_scorer):
    from poetbench.audit.poems import REGULATED

    for name, (form, text) in REGULATED.items():
        record = scorer.score(text)
        assert record["form"] == form, name
        assert record["tone_ok"] is True, (name, record["tone_violations"])
        assert record["rhyme_ok"] is True, name
    # Tang poets used the freedom of 一三五不论: under strict mode most of them break.
    assert sum(strict_scorer.score(text)["tone_ok"] is True for _, text in REGULATED.values()) <= 2
