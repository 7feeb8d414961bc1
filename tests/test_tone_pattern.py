"""平仄 rules on tone codes (P 平, Z 仄, A either, ? unknown), then on real poems."""

from poetbench.metrics import tone_pattern as tp

# 仄起首句不入韵, five characters: a b c d.
GOOD = ["ZZPPZ", "PPZZP", "PPPZZ", "ZZZPP"]


def rules(result):
    return [(v["line"], v["pos"], v["rule"]) for v in result.violations]


def test_base_patterns_pass_in_both_modes():
    for strict in (False, True):
        result = tp.check(GOOD, strict=strict)
        assert result.ok is True and result.conformity == 1.0 and result.template == "仄起首句不入韵"


def test_seven_character_template_names_follow_the_second_character():
    result = tp.check([tp.base_pattern(k, 7) for k in "dbcd"])
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


def test_broken_nian_and_dui_are_named():
    # The second couplet repeats the first: each line is a good pattern in the wrong place.
    assert rules(tp.check(["ZZPPZ", "PPZZP", "ZZPPZ", "PPZZP"])) == [
        (3, 2, "nian"), (3, 4, "nian"), (4, 2, "dui"), (4, 4, "dui")]


def test_undecided_fits_either_and_unknown_is_not_guessed():
    assert tp.check(["AAAAZ", "AAAAP", "AAAAZ", "AAAAP"]).ok is True
    result = tp.check(["ZZPP?", "PPZZP", "PPPZZ", "ZZZPP"])
    assert result.ok is None and result.conformity == 1.0


def test_not_regulated_shape_is_not_checked():
    assert tp.check(["ZZPPZ", "PPZZP", "PPPZZ"]) is None
    assert tp.check(["ZZPPZZ"] * 4) is None
    assert tp.check([]) is None


def test_canonical_poems_pass_lenient_and_break_strict(scorer, strict_scorer):
    from poems import REGULATED

    for name, (form, text) in REGULATED.items():
        record = scorer.score(text)
        assert record["form"] == form, name
        assert record["tone_ok"] is True, (name, record["tone_violations"])
        assert record["rhyme_ok"] is True, name
    # Tang poets used the freedom of 一三五不论: under strict mode most of them break.
    assert sum(strict_scorer.score(text)["tone_ok"] is True for _, text in REGULATED.values()) <= 2
