"""Arbitrary Unicode never crashes the scorer, and every record keeps its keys."""

from hypothesis import given, settings
from hypothesis import strategies as st

from poetbench.scoring import SCORE_KEYS, Scorer

SCORER = Scorer()
HAN_AND_PUNCTUATION = st.sampled_from(list("床前明月光疑是地上霜举头望低思故乡，。！？\n 《》（）：好的以下这首诗"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text() | st.text(HAN_AND_PUNCTUATION, max_size=80), min_size=1, max_size=5))
def test_scorer_survives_any_text(texts):
    records = SCORER.score_many(texts)
    assert len(records) == len(texts)
    for record in records:
        assert tuple(record) == SCORE_KEYS
        assert record["n_lines"] >= 0
        if record["tone_conformity"] is not None:
            assert 0.0 <= record["tone_conformity"] <= 1.0
