"""A change that alters any score for the same input must change the signature."""

import json
from pathlib import Path

from data.make_expected import OUT, rows

from poetbench.scoring import Scorer


def test_scores_of_fixed_poems_match_the_committed_file():
    expected = [json.loads(line) for line in Path(OUT).read_text(encoding="utf-8").splitlines()]
    actual = rows(Scorer())
    assert [r["text"] for r in actual] == [r["text"] for r in expected], "the fixed poems changed"
    same_signature = actual[0]["signature"] == expected[0]["signature"]
    changed = [(a["text"][:20], k) for a, e in zip(actual, expected) for k in a["scores"]
               if a["scores"][k] != e["scores"].get(k)]
    assert same_signature, ("the signature changed: regenerate the expected scores on purpose with "
                            "`python tests/data/make_expected.py`")
    assert not changed, (f"scores changed with the same signature {actual[0]['signature']}: "
                         f"bump the version, then run `python tests/data/make_expected.py`; first changes: {changed[:5]}")


def test_signature_names_every_setting():
    signature = Scorer(book="xinyun", strict=True).signature
    assert signature.startswith("poetbench:")
    for part in ("book=xinyun", "tone=strict", "vocab=v1", "extract=v3", "ref=none"):
        assert part in signature
