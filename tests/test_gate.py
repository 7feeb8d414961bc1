"""The regression gate: noise passes, a real regression fails, incomparable runs exit 2."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from poetbench import evalsets
from poetbench.audit.poems import REGULATED, VERNACULAR
from poetbench.gate import NotComparable, gate, save_baseline
from poetbench.runner import Run, RunSettings, parse_gen_kwargs

REPO = Path(__file__).resolve().parents[1]
POEMS = [text for _, text in REGULATED.values()]


def file_run(root: Path, name: str, texts: list[str]) -> Path:
    ids = [p["id"] for p in evalsets.load("smoke-v1")]
    outputs = root / f"{name}.jsonl"
    outputs.write_text("".join(json.dumps({"prompt_id": p, "output": texts[k % len(texts)]}, ensure_ascii=False) + "\n"
                               for k, p in enumerate(ids)), encoding="utf-8")
    run = Run(RunSettings(checkpoints=f"model={outputs}", eval_set="smoke-v1", output=str(root / name), backend="file"))
    run.generate(progress=False)
    run.score()
    return root / name


def cli(*args):
    return subprocess.run([sys.executable, "-m", "poetbench", *map(str, args)], capture_output=True, text=True)


def test_vernacular_outputs_are_a_regression(tmp_path):
    good = file_run(tmp_path, "good", POEMS)
    save_baseline(good, "model", tmp_path / "baseline.json")
    bad = file_run(tmp_path, "bad", VERNACULAR)
    verdict = gate(bad, tmp_path / "baseline.json")
    failed = {c["metric"] for c in verdict["checks"] if c["regressed"]}
    assert verdict["exit_code"] == 1 and {"form_ok", "classical_ratio", "vernacular_markers", "poetscore"} <= failed
    done = cli("gate", bad, "--baseline", tmp_path / "baseline.json", "--format", "markdown")
    assert done.returncode == 1 and "REGRESSED" in done.stdout and done.stdout.startswith("### poetbench gate")
    assert cli("gate", good, "--baseline", tmp_path / "baseline.json").returncode == 0


def test_signature_or_eval_set_mismatch_exits_2(tmp_path):
    good = file_run(tmp_path, "good", POEMS)
    baseline = save_baseline(good, "model", tmp_path / "baseline.json")
    baseline["signature"] = baseline["signature"].replace("tone=lenient", "tone=strict")
    (tmp_path / "other-signature.json").write_text(json.dumps(baseline), encoding="utf-8")
    with pytest.raises(NotComparable, match="signatures differ"):
        gate(good, tmp_path / "other-signature.json")
    done = cli("gate", good, "--baseline", tmp_path / "other-signature.json")
    assert done.returncode == 2 and "signatures differ" in done.stderr
    baseline = save_baseline(good, "model", tmp_path / "baseline.json")
    baseline["eval_set"]["sha256"] = "0" * 64
    (tmp_path / "other-set.json").write_text(json.dumps(baseline), encoding="utf-8")
    assert cli("gate", good, "--baseline", tmp_path / "other-set.json").returncode == 2
    (tmp_path / "junk.json").write_text("{", encoding="utf-8")
    assert cli("gate", good, "--baseline", tmp_path / "junk.json").returncode == 2
    assert cli("gate", good, "--baseline", tmp_path / "baseline.json", "--rule", "nonsense").returncode == 2


def test_the_projects_fixed_samples_match_their_baseline(tmp_path):
    """What .ci/run checks: a scoring change without a new signature and baseline fails."""
    fixed = REPO / "reports" / "baselines" / "fixed-samples"
    run = Run(RunSettings(checkpoints=f"fixed={fixed / 'outputs.jsonl'}", eval_set=str(fixed / "prompts.jsonl"),
                          output=str(tmp_path / "fixed"), backend="file"))
    run.generate(progress=False)
    run.score()
    verdict = gate(tmp_path / "fixed", REPO / "reports" / "baselines" / "fixed-samples.json", mode="exact")
    assert verdict["exit_code"] == 0, [c for c in verdict["checks"] if c["regressed"]]


def test_the_same_model_with_another_seed_passes(tmp_path):
    pytest.importorskip("trl", reason="the [train] extra is not installed")
    from training import tiny

    base = tiny.build(tmp_path / "base", vocab_size=900, texts=POEMS * 3 + VERNACULAR, pretrain_steps=30)
    runs = []
    for seed in (1, 2):
        run = Run(RunSettings(checkpoints=f"model={base}", eval_set="smoke-v1", output=str(tmp_path / f"seed{seed}"),
                              seed=seed, gen_kwargs=parse_gen_kwargs("temperature=1.0,max_new_tokens=24")))
        run.generate(progress=False)
        run.score()
        runs.append(tmp_path / f"seed{seed}")
    outputs = [[json.loads(line)["output"] for line in (r / "model" / "samples.jsonl").open(encoding="utf-8")] for r in runs]
    assert outputs[0] != outputs[1]  # the seeds did change the samples …
    save_baseline(runs[0], "model", tmp_path / "baseline.json")
    assert gate(runs[1], tmp_path / "baseline.json")["exit_code"] == 0  # … and noise is not a regression


def test_a_collapsed_model_fails_on_diversity(tmp_path):
    """Every prompt answered with the same real poem: each poem scores well, the run does not."""
    varied = file_run(tmp_path, "varied", POEMS)
    save_baseline(varied, "model", tmp_path / "baseline.json")
    collapsed = file_run(tmp_path, "collapsed", POEMS[:1])
    verdict = gate(collapsed, tmp_path / "baseline.json")
    checks = {c["metric"]: c for c in verdict["checks"]}
    assert checks["shared_first_line"]["regressed"] and checks["shared_first_line"]["mode_collapse"]
    assert checks["run_distinct_2"]["regressed"]
    done = cli("gate", collapsed, "--baseline", tmp_path / "baseline.json")
    assert done.returncode == 1 and "REGRESSED (mode collapse)" in done.stdout
    again = gate(varied, tmp_path / "baseline.json")
    assert not any(c["regressed"] for c in again["checks"] if c.get("run_level"))


def test_a_broken_pipe_keeps_the_verdicts_exit_code(tmp_path):
    # `poetbench gate … | head -1` must not turn REGRESSION into success.
    good = file_run(tmp_path, "good", POEMS)
    save_baseline(good, "model", tmp_path / "baseline.json")
    bad = file_run(tmp_path, "bad", VERNACULAR)
    proc = subprocess.Popen([sys.executable, "-m", "poetbench", "gate", str(bad), "--baseline", str(tmp_path / "baseline.json")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader is gone before the verdict is printed
    assert proc.wait(timeout=120) == 1
    assert b"Traceback" not in proc.stderr.read()


def test_missing_prompts_count_against_the_candidate(tmp_path):
    good = file_run(tmp_path, "good", POEMS)
    save_baseline(good, "model", tmp_path / "baseline.json")
    ids = [p["id"] for p in evalsets.load("smoke-v1")]
    partial = tmp_path / "partial.jsonl"  # answers 2 of the prompts, as well as the baseline did
    partial.write_text("".join(json.dumps({"prompt_id": p, "output": POEMS[k % len(POEMS)]}, ensure_ascii=False) + "\n"
                               for k, p in enumerate(ids) if k < 2), encoding="utf-8")
    run = Run(RunSettings(checkpoints=f"model={partial}", eval_set="smoke-v1", output=str(tmp_path / "partial"), backend="file"))
    run.generate(progress=False)
    run.score()
    verdict = gate(tmp_path / "partial", tmp_path / "baseline.json")
    failed = {c["metric"] for c in verdict["checks"] if c["regressed"]}
    assert verdict["exit_code"] == 1 and verdict["missing_prompts"] == len(ids) - 2
    assert {"coverage", "form_ok", "poetscore"} <= failed  # a missing sample fails every metric
    lenient = gate(tmp_path / "partial", tmp_path / "baseline.json", min_coverage=0.1)
    assert "coverage" not in {c["metric"] for c in lenient["checks"] if c["regressed"]} and lenient["exit_code"] == 1
    done = cli("gate", tmp_path / "partial", "--baseline", tmp_path / "baseline.json")
    assert done.returncode == 1 and f"{len(ids) - 2} of the baseline missing" in done.stdout
    assert cli("gate", good, "--baseline", tmp_path / "baseline.json", "--min-coverage", "2").returncode == 2


def test_malformed_baselines_are_bad_input(tmp_path):
    good = file_run(tmp_path, "good", POEMS)
    baseline = save_baseline(good, "model", tmp_path / "baseline.json")
    prompt = next(iter(baseline["per_prompt"]))
    broken = {
        "nan": lambda b: b["per_prompt"][prompt].update(poetscore=float("nan")),
        "string": lambda b: b["per_prompt"][prompt].update(form_ok="yes"),
        "no-key": lambda b: b.pop("per_prompt"),
        "no-sha": lambda b: b["eval_set"].pop("sha256"),
    }
    for name, change in broken.items():
        copy = json.loads(json.dumps(baseline))
        change(copy)
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps(copy), encoding="utf-8")  # NaN is written as the literal NaN
        done = cli("gate", good, "--baseline", path)
        assert done.returncode == 2 and str(path) in done.stderr and "internal error" not in done.stderr, name



def test_diversity_without_a_value_is_skipped_out_loud_and_an_unknown_shape_is_bad_input(tmp_path):
    good = file_run(tmp_path, "good", POEMS)
    baseline = save_baseline(good, "model", tmp_path / "baseline.json")
    assert {c["metric"] for c in gate(good, tmp_path / "baseline.json")["checks"]} >= {"run_distinct_2", "shared_first_line"}
    old = tmp_path / "old.json"  # saved before diversity existed
    old.write_text(json.dumps({**baseline, "diversity": None}, ensure_ascii=False), encoding="utf-8")
    verdict = gate(good, old)
    assert verdict["exit_code"] == 0 and not {c["metric"] for c in verdict["checks"]} & {"run_distinct_2", "shared_first_line"}
    assert [s["metric"] for s in verdict["skipped"]] == ["run_distinct_2", "shared_first_line"]
    done = cli("gate", good, "--baseline", old)
    assert done.returncode == 0
    assert "  run_distinct_2" in done.stdout and "skipped: the baseline has no diversity (saved before poetbench" in done.stdout
    assert "| shared_first_line | — | — | — | skipped: the baseline has no diversity" in cli(
        "gate", good, "--baseline", old, "--format", "markdown").stdout
    empty = tmp_path / "empty.json"  # a label with no verse has no distinct_2
    empty.write_text(json.dumps({**baseline, "diversity": {**baseline["diversity"], "distinct_2": None}}), encoding="utf-8")
    assert gate(good, empty)["skipped"] == [{"metric": "run_distinct_2", "reason": "the baseline's distinct_2 is null (no verse to measure)"}]
    assert "skipped" not in cli("gate", good, "--baseline", tmp_path / "baseline.json").stdout  # nothing skipped, no line
    for name, diversity in (("unknown", {"distinct": 0.5}), ("text", "high"), ("list", [0.5])):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({**baseline, "diversity": diversity}), encoding="utf-8")
        done = cli("gate", good, "--baseline", path)
        assert done.returncode == 2 and f"{path}: baseline diversity is" in done.stderr, name
        assert "not null or an object with distinct_2 and shared_first_line" in done.stderr and "Traceback" not in done.stderr
