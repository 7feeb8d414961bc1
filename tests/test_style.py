"""Style and content metrics on real poems and controls (README, "Validation")."""

import json
import random

import pytest
from conftest import CORPUS, tang_poems

from poetbench.audit import auc
from poetbench.audit.controls import shuffle_characters
from poetbench.audit.poems import CHAT_WRAPPERS, REGULATED, VERNACULAR, forced_into_lines
from poetbench.metrics import poetscore as ps
from poetbench.metrics.adherence import Prompt
from poetbench.scoring import Scorer

POEMS = [text for _, text in REGULATED.values()]


def test_classical_ratio_separates_tang_from_vernacular(scorer):
    # Tang poems the lexicon never saw; without the corpus, the canonical poems of audit/poems.py.
    real = tang_poems()[::20] if (CORPUS / "quantangshi").is_dir() else POEMS
    held_out = [r["classical_ratio"] for r in scorer.score_many(real) if r["classical_ratio"] is not None]
    for control in (VERNACULAR, [forced_into_lines(v) for v in VERNACULAR]):
        values = [r["classical_ratio"] for r in scorer.score_many(control)]
        assert auc(held_out, values) > 0.98  # measured 0.998
        assert sum(held_out) / len(held_out) > 2 * sum(values) / len(values)  # measured 0.82 vs 0.25


def test_canonical_poems_are_classical_and_vernacular_has_markers(scorer):
    assert min(r["classical_ratio"] for r in scorer.score_many(POEMS)) > 0.7
    assert all(r["vernacular_markers"] == 0 for r in scorer.score_many(POEMS))
    markers = [r["vernacular_markers"] for r in scorer.score_many(VERNACULAR)]
    assert min(markers) >= 1 and sum(markers) / len(markers) > 2.5
    assert scorer.score("我们的")["vernacular_markers"] == 2  # 我们 counts once, then 的


def test_chat_wrapped_poems_are_flagged(scorer):
    wrapped = scorer.score_many([w.format(p) for w in CHAT_WRAPPERS for p in POEMS])
    assert all(r["chatter"] for r in wrapped)
    assert not any(r["chatter"] for r in scorer.score_many(POEMS))
    assert not scorer.score("《登高》\n" + POEMS[0])["chatter"]  # a title alone is not chatter
    assert scorer.score("作为一个AI，我无法写诗。")["chatter"]  # talk and no verse
    # Extraction strips the chatter before the verse is scored.
    assert [r["tone_ok"] for r in wrapped[:len(POEMS)]] == [r["tone_ok"] for r in scorer.score_many(POEMS)]


@pytest.fixture(scope="module")
def copier(tmp_path_factory):
    """A scorer whose reference corpus is a JSONL file of the canonical poems and some prose."""
    path = tmp_path_factory.mktemp("reference") / "reference.jsonl"
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in POEMS + VERNACULAR[:5]),
                    encoding="utf-8")
    return Scorer(reference=str(path))


def test_copying_verbatim_high_shuffled_low(copier):
    assert "ref=" in copier.signature and "ref=none" not in copier.signature
    famous = POEMS[0]  # 登鸛雀樓
    record = copier.score(famous)
    assert record["copy_overlap"] == 1.0 and record["verbatim_lines"] == 4 and record["copy_span"] == 5
    rng = random.Random(3)
    shuffled = copier.score_many([shuffle_characters(famous, rng) for _ in range(20)])
    assert max(r["copy_overlap"] for r in shuffled) < 0.5 and sum(r["verbatim_lines"] for r in shuffled) == 0
    assert copier.score("今天我们去公园，天气好得不得了。")["copy_overlap"] == 0.0


def test_copy_index_of_the_real_corpus(tang):
    whole = Scorer(reference=str(CORPUS))
    assert whole.score(POEMS[0])["verbatim_lines"] == 4 and whole.reference.name in whole.signature


def test_bad_reference_is_one_clear_error(tmp_path):
    from poetbench.metrics.copying import ReferenceError

    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "床前明月光"}\nnot json\n', encoding="utf-8")
    with pytest.raises(ReferenceError, match="bad.jsonl:2"):
        Scorer(reference=str(bad))
    with pytest.raises(ReferenceError, match="no such reference"):
        Scorer(reference=str(tmp_path / "missing"))


def test_continuation_given_line_is_not_copying(copier):
    prompt = Prompt(kind="continuation", text="续写：白日依山尽")
    mine = "白日依山尽，江流入海平。高楼看远客，落照满孤城。"
    with_prompt = copier.score(mine, prompt=prompt)
    without = copier.score(mine)
    assert without["verbatim_lines"] >= 1 and with_prompt["verbatim_lines"] == 0
    assert with_prompt["adherence"] == 1.0


def test_repetition(scorer):
    records = scorer.score_many(POEMS)
    assert all(r["repetition_ok"] and r["repeated_lines"] == 0 for r in records)
    assert all(r["distinct_2"] > 0.9 for r in records)
    loop = scorer.score("春风春风春风春，春风春风春风春。春风春风春风春，春风春风春风春。")
    assert loop["repetition_ok"] is False and loop["repeated_lines"] == 3 and loop["distinct_2"] < 0.3
    assert loop["loop_bigram_max"] >= 12 and loop["char_overuse"] == 2


def test_repetition_stays_quiet_on_tang(tang, scorer):
    records = [r for r in scorer.score_many(tang[::10]) if r["repetition_ok"] is not None]
    assert sum(r["repetition_ok"] for r in records) / len(records) > 0.97  # thresholds are Tang's q99


def test_adherence_by_kind(scorer):
    poem = "秋风吹落叶，雁过远山头。霜菊满篱下，孤城夜未休。"
    topic = scorer.score(poem, prompt=Prompt(kind="topic", keywords=["秋", "月"]))["adherence"]
    assert topic == 0.5  # 秋 through its imagery and the word itself; no 月
    assert scorer.score(poem, prompt=Prompt(kind="form", form="wujue"))["adherence"] == 1.0
    assert scorer.score(poem, prompt=Prompt(kind="form", form="qilv"))["adherence"] == 0.0
    assert scorer.score(poem, prompt=Prompt(kind="free"))["adherence"] is None
    assert scorer.score(poem)["adherence"] is None
    continuation = Prompt(kind="continuation", given="秋风吹落叶")
    assert scorer.score(poem, prompt=continuation)["adherence"] == 1.0
    assert scorer.score("雁过远山头，霜菊满篱下。", prompt=continuation)["adherence"] == 1.0  # continues
    assert scorer.score("我们去公园玩吧", prompt=continuation)["adherence"] == 0.0


def test_poetscore_is_documented_and_ranks_poems_over_prose(scorer):
    assert sum(ps.CRAFT_WEIGHTS.values()) == 100
    poems = [r["poetscore"] for r in scorer.score_many(POEMS)]
    prose = [r["poetscore"] for r in scorer.score_many(VERNACULAR)]
    assert min(poems) > 80 and max(prose) < 50
    assert scorer.score("")["poetscore"] is None
