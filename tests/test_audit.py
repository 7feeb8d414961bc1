"""``poetbench audit``: controls built from held-out poems, scored, and separated (README,
"Audit"). On a smaller sample than the README's table, with margins for sampling noise."""

from __future__ import annotations

import json

import numpy as np
import pytest

from poetbench import audit
from poetbench.cli import main
from poetbench.text.lines import join, split_lines


@pytest.fixture(scope="module")
def result(prepared_split):
    return audit.run(str(prepared_split), n=150, seed=3)


def _auc(result, metric, control):
    return result["metrics"][metric]["controls"][control]["auc"]


def test_poetscore_separates_real_poems_from_every_control(result):
    for control, floor in (("tone_salad", 0.96), ("char_shuffle", 0.96), ("vernacular", 0.96), ("loop", 0.98),
                           ("line_shuffle", 0.9), ("line_shuffle_rhymed", 0.85), ("cento", 0.9)):
        assert _auc(result, "poetscore", control) >= floor, control
    row = result["metrics"]["poetscore"]
    assert row["real"] - row["controls"]["tone_salad"]["mean"] >= 25


def test_the_salad_fools_form_and_meter_but_not_language(result):
    """The issue's finding: tone-matched salad passes 平仄 and rhyme like real poems."""
    assert abs(_auc(result, "tone_conformity", "tone_salad") - 0.5) < 0.05
    assert abs(_auc(result, "rhyme_rate", "tone_salad") - 0.5) < 0.05
    assert _auc(result, "fluency", "tone_salad") >= 0.95
    assert _auc(result, "coherence", "line_shuffle_rhymed") >= 0.8


def test_chat_wrapped_poems_score_like_bare_ones(result):
    assert result["chat_wrapped_identical"] == 1.0
    assert _auc(result, "poetscore", "chat_wrapped") == 0.5
    assert _auc(result, "chatter", "chat_wrapped") > 0.9  # the wrapping itself is seen, and reported apart


def test_every_control_is_built_in_the_poems_shape(prepared_split):
    split = audit.split_poems(str(prepared_split))
    real = split.held[:40]
    texts = audit.build_controls(real, split, audit.Scorer(), seed=1)
    for name in ("char_shuffle", "tone_salad", "line_shuffle", "vernacular", "loop"):
        for (lines, _), text in zip(real, texts[name]):
            if text is not None:
                assert [len(x) for x in split_lines(text)] == [len(x) for x in lines], name
    salad = texts["tone_salad"]
    codes = audit.Scorer().book.many_poem_tones([lines for lines, _ in real])
    salad_codes = audit.Scorer().book.many_poem_tones([split_lines(t) for t in salad])
    same = np.mean([a == b for x, y in zip(codes, salad_codes) for a, b in zip("".join(x), "".join(y)) if a in "PZ"])
    assert same > 0.95  # 平仄 kept, but the characters changed
    assert np.mean([t != join(lines) for (lines, _), t in zip(real, salad)]) == 1.0


def test_auc_counts_ties_half():
    assert audit.auc(np.array([1.0, 2.0]), np.array([0.0, 0.5])) == 1.0
    assert audit.auc(np.array([1.0]), np.array([1.0])) == 0.5
    assert audit.auc(np.array([0.0, 3.0]), np.array([1.0, 2.0])) == 0.5
    assert audit.auc(np.array([]), np.array([1.0])) is None


def test_targets_name_what_is_missed():
    table = {"poetscore": {"real": 90.0, "controls": {name: {"mean": 10.0, "auc": 1.0} for name in audit.CONTROLS}}}
    assert audit.check_targets(table) == []
    table["poetscore"]["controls"]["line_shuffle_rhymed"]["auc"] = 0.9
    table["poetscore"]["controls"]["tone_salad"]["mean"] = 70.0
    misses = audit.check_targets(table)
    assert len(misses) == 2 and "line_shuffle_rhymed" in misses[0] and "tone_salad" in misses[1]


def test_cli_prints_the_table_and_writes_json(prepared_split, tmp_path, capsys):
    out = tmp_path / "audit.json"
    code = main(["audit", "--corpus", str(prepared_split), "--n", "40", "--no-reference", "-o", str(out)])
    printed = capsys.readouterr().out
    data = json.loads(out.read_text(encoding="utf-8"))
    assert code == (1 if data["misses"] else 0)
    assert "| poetscore |" in printed and "tone_salad (AUC)" in printed
    assert data["n"] == 40 and set(data["metrics"]["fluency"]["controls"]) == set(audit.CONTROLS)
    assert data["metrics"]["copy_overlap"]["real"] is None  # --no-reference


def test_cli_refuses_a_tiny_sample(capsys):
    assert main(["audit", "--n", "5"]) == 2
    assert "--n 5" in capsys.readouterr().err


def test_a_models_own_outputs_against_real_poems(prepared_split, tmp_path, capsys):
    """`audit --run`: real held-out poems as one label's outputs are indistinguishable from the
    real sample (AUC near 0.5); the same poems with their characters shuffled are not."""
    import random

    from poetbench import evalsets
    from poetbench.runner import Run, RunSettings

    split = audit.split_poems(str(prepared_split))
    rng = random.Random(0)
    held = rng.sample([join(lines) for lines, form in split.held if form in ("wujue", "qijue", "wulv", "qilv")], 60)
    shuffled = []
    for text in held:
        chars = [c for c in text if c not in "，。\n"]
        rng.shuffle(chars)
        it = iter(chars)
        shuffled.append("".join(c if c in "，。\n" else next(it) for c in text))
    prompts = evalsets.load("smoke-v1")
    for label, texts in (("real", held), ("shuffled", shuffled)):
        (tmp_path / f"{label}.jsonl").write_text("".join(
            json.dumps({"prompt_id": p["id"], "sample_index": k, "output": texts[n * 5 + k]}, ensure_ascii=False) + "\n"
            for n, p in enumerate(prompts) for k in range(5)), encoding="utf-8")
    run = Run(RunSettings(checkpoints=f"real={tmp_path / 'real.jsonl'},shuffled={tmp_path / 'shuffled.jsonl'}",
                          eval_set="smoke-v1", output=str(tmp_path / "run"), backend="file", num_samples=5))
    run.generate(progress=False)
    run.score()
    result = audit.against_real(tmp_path / "run", str(prepared_split), n=150, seed=1)
    real, salad = result["labels"]["real"], result["labels"]["shuffled"]
    assert real["fluency"]["n"] == 60 and 0.35 < real["fluency"]["auc"] < 0.65
    assert salad["fluency"]["auc"] > 0.95 and salad["fluency"]["mean"] < real["fluency"]["mean"]
    assert main(["audit", "--run", str(tmp_path / "run"), "--corpus", str(prepared_split), "--n", "150"]) == 0
    out = capsys.readouterr().out
    assert "| shuffled | 60 |" in out and "real held-out poems" in out
