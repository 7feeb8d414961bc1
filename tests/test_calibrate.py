"""``poetbench calibrate``: correlations with human ratings, on files whose answer is known."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from poetbench import calibrate
from poetbench.audit.controls import shuffle_characters
from poetbench.audit.poems import REGULATED, VERNACULAR
from poetbench.cli import main


def test_spearman_and_kendall_match_hand_computed_values():
    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4])
    assert calibrate.spearman(x, y) == pytest.approx(0.8)  # 1 - 6·2 / (4·15)
    assert calibrate.kendall(x, y) == pytest.approx(4 / 6)  # 5 concordant, 1 discordant
    # τ-b with a tie in x: 2 concordant pairs over sqrt(2 · 3)
    assert calibrate.kendall(np.array([1.0, 1, 2]), np.array([1.0, 2, 3])) == pytest.approx(2 / np.sqrt(6))
    assert calibrate.spearman(np.ones(4), y) is None and calibrate.kendall(np.ones(4), y) is None


def test_fisher_interval_matches_hand_computed_values_and_holds_its_estimate():
    x, y = np.array([1.0, 2, 3, 4, 5]), np.array([1.0, 3, 2, 4, 5])
    got = calibrate.correlate(x, y)
    # ρ = 1 - 6·2 / (5·24) = 0.9; z = atanh 0.9 = 1.4722, se = sqrt((1 + 0.405) / 2) = 0.8382, tanh(1.4722 ∓ 1.6428)
    assert got["spearman"] == 0.9 and got["spearman_ci"] == pytest.approx([-0.169, 0.996], abs=1e-3)
    # τ = (9 - 1) / 10 = 0.8; z = atanh 0.8 = 1.0986, se = sqrt(0.437 / 1) = 0.6611, tanh(1.0986 ∓ 1.2957)
    assert got["kendall"] == 0.8 and got["kendall_ci"] == pytest.approx([-0.1945, 0.9835], abs=1e-4)
    # The percentile bootstrap it replaced missed its own estimate here (ρ -0.577, CI [-0.877, -0.581]):
    # one poem of eight passes a yes/no metric, and the resamples without it have no ρ at all.
    one_passes = calibrate.correlate(np.array([0.0, 0, 0, 0, 0, 0, 1, 0]),
                                     np.array([0.7, 0.4, 0.3, -1.0, 1.2, 1.4, -1.3, 2.3]))
    assert one_passes["spearman"] == -0.5774 and one_passes["spearman_ci"][0] < -0.5774 < one_passes["spearman_ci"][1]
    assert one_passes["kendall_ci"][0] < one_passes["kendall"] < one_passes["kendall_ci"][1]
    rng = np.random.default_rng(0)  # the Fisher z interval holds its estimate at any n, ties and skew included
    for _ in range(300):
        n = int(rng.integers(calibrate.MIN_POEMS, 13))
        c = calibrate.correlate((rng.random(n) < rng.random()).astype(float), rng.normal(size=n).round(1))
        if c["spearman"] is not None:
            assert c["spearman_ci"][0] <= c["spearman"] <= c["spearman_ci"][1]
            assert c["kendall_ci"][0] <= c["kendall"] <= c["kendall_ci"][1]


@pytest.fixture(scope="module")
def ratings(tmp_path_factory, scorer):
    """Real poems, their shuffles and prose; ratings with known relations to the metrics."""
    rng = random.Random(0)
    poems = [text for _, text in REGULATED.values()]
    texts = poems + [shuffle_characters(p, rng) for p in poems] + VERNACULAR[:13]
    records = scorer.score_many(texts)
    rows = []
    for i, (text, record) in enumerate(zip(texts, records)):
        rows.append({"text": text,
                     "is_poem": 1 if i < len(poems) else 0,  # an expert who only asks: is it a real poem?
                     "fluency_judge": -record["fluency_bpc"],  # a judge who agrees exactly with fluency_bpc
                     "coin": rng.random()})  # a judge who flips coins
    path = tmp_path_factory.mktemp("ratings") / "ratings.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_known_answers(ratings, scorer):
    result = calibrate.calibrate(str(ratings), ["is_poem", "fluency_judge", "coin"], scorer)
    judge = result["fields"]["fluency_judge"]["fluency_bpc"]
    assert judge["spearman"] == -1.0 and judge["kendall"] == -1.0 and judge["spearman_ci"] == [-1.0, -1.0]
    poem = result["fields"]["is_poem"]
    assert poem["poetscore"]["spearman"] > 0.8 and poem["poetscore"]["spearman_ci"][0] > 0.6
    assert poem["fluency"]["spearman"] > 0.8
    coin = result["fields"]["coin"]["poetscore"]
    assert coin["spearman_ci"][0] < 0 < coin["spearman_ci"][1]  # no relation: the CI holds 0
    assert result["fields"]["coin"]["adherence"]["spearman"] is None  # no prompts: no adherence


def test_cli_prints_tables_and_writes_json(ratings, tmp_path, capsys):
    out = tmp_path / "calibration.json"
    assert main(["calibrate", "--human", str(ratings), "--field", "is_poem", "--field", "coin", "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rating: is_poem" in printed and "| poetscore |" in printed
    assert set(json.loads(out.read_text(encoding="utf-8"))["fields"]) == {"is_poem", "coin"}


def test_bad_ratings_name_the_line(tmp_path, capsys):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "白日依山尽", "overall": 3}\n{"text": "黄河入海流", "overall": "good"}\n', encoding="utf-8")
    assert main(["calibrate", "--human", str(path), "--field", "overall"]) == 2
    assert f"{path}:2" in capsys.readouterr().err
    assert main(["calibrate", "--human", str(path), "--field", "missing"]) == 2
    assert "no row has a rating 'missing'" in capsys.readouterr().err


def test_empty_cells_say_why_and_skipped_rows_are_counted(tmp_path, capsys):
    poems = [text for _, text in REGULATED.values()][:7] + VERNACULAR[:1]
    rows = [{"text": text, "overall": k % 4, "constant": 3} for k, text in enumerate(poems)]
    del rows[2]["overall"]  # line 3 has no overall rating
    path = tmp_path / "ratings.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["calibrate", "--human", str(path), "--field", "overall", "--field", "constant"]) == 0
    printed = capsys.readouterr().out
    assert "rating: overall (7 of 8 rows rated; 1 without a rating skipped: line 3)" in printed
    assert "| poetscore | 7 | " in printed and "| poetscore | 8 | — (the rating is the same (3) for every poem) | — |" in printed
    assert "| adherence | 0 | — (the metric has no value for any rated poem) | — |" in printed  # no prompts
    assert "note: n = 7 is below 10" in printed
    two = tmp_path / "two.jsonl"
    two.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:2]), encoding="utf-8")
    assert main(["calibrate", "--human", str(two), "--field", "overall"]) == 0
    printed = capsys.readouterr().out
    assert "| poetscore | 2 | — (too few poems with both values (2; needs 5)) | — |" in printed
    assert "—  |" not in printed and "| — | — |" not in printed  # never an empty cell without its reason
