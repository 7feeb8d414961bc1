"""``poetbench calibrate``: correlations with human ratings, on files whose answer is known."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest
from poems import REGULATED, VERNACULAR

from poetbench import calibrate
from poetbench.cli import main
from poetbench.text.controls import shuffle_characters


def test_spearman_and_kendall_match_hand_computed_values():
    x, y = np.array([1.0, 2, 3, 4]), np.array([1.0, 3, 2, 4])
    assert calibrate.spearman(x, y) == pytest.approx(0.8)  # 1 - 6·2 / (4·15)
    assert calibrate.kendall(x, y) == pytest.approx(4 / 6)  # 5 concordant, 1 discordant
    # τ-b with a tie in x: 2 concordant pairs over sqrt(2 · 3)
    assert calibrate.kendall(np.array([1.0, 1, 2]), np.array([1.0, 2, 3])) == pytest.approx(2 / np.sqrt(6))
    assert calibrate.spearman(np.ones(4), y) is None and calibrate.kendall(np.ones(4), y) is None


def test_weighted_kendall_is_the_kendall_of_the_resample():
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, 5, 30).astype(float), rng.normal(size=30)
    draws = rng.integers(0, 30, size=(5, 30))
    weights = np.stack([np.bincount(d, minlength=30) for d in draws]).astype(float)
    expected = [calibrate.kendall(x[d], y[d]) for d in draws]
    assert calibrate.kendall(x, y, weights) == pytest.approx(expected)


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
