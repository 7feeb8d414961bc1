"""`poetbench demo` with its defaults: the improvement from base to the last checkpoint is real.

This is the demo a user runs first (about 4 minutes on 2 cores), not a smaller stand-in: the
tiny base, LoRA to step 200, core-v1 over base and checkpoints, the comparison and the gate. What
it prints must be what the README shows.
"""

import difflib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_matches(command: str, stdout: str, out: Path) -> None:
    """The README's console block under ``$ COMMAND`` is what the demo printed (paths as the
    README's default ``--out reports/demo``; a line ``...`` stands for lines left out), else fail
    with a diff."""
    blocks = [body.splitlines() for body in re.findall(r"^```console\n(.*?)^```", README.read_text(encoding="utf-8"),
                                                        re.S | re.M)]
    shown = next((lines[1:] for lines in blocks if lines[0] == f"$ {command}"), None)
    assert shown, f"README.md has no console block for `{command}`"
    printed = stdout.replace(str(out), "reports/demo").splitlines()
    got, position = [], 0
    for part in "\n".join(shown).split("\n...\n"):
        part = part.splitlines()
        start = next((i for i in range(position, len(printed)) if printed[i] == part[0]), position)
        got += (["..."] if got else []) + printed[start:start + len(part)]
        position = start + len(part)
    diff = "\n".join(difflib.unified_diff(shown, got, "README.md", f"what `{command}` printed", lineterm=""))
    assert got == shown, f"README.md's `{command}` block is stale; update it from this run:\n{diff}"


def test_the_shipped_base_is_the_one_this_demo_would_build(tmp_path):
    """training/tiny-base was built with the demo's settings (tools/build_demo_base.py) and its
    weights are intact; a demo with other settings (--quick) or --rebuild-base builds its own."""
    pytest.importorskip("trl", reason="the [train] extra is not installed")
    import hashlib

    from poetbench.demo import SHIPPED_BASE, DemoSettings, base_settings, copy_shipped_base

    record = json.loads((SHIPPED_BASE / "demo_base.json").read_text(encoding="utf-8"))
    assert record["build_tiny"] == base_settings(DemoSettings())
    assert record["model_sha256"] == hashlib.sha256((SHIPPED_BASE / "model.safetensors").read_bytes()).hexdigest()
    assert not copy_shipped_base(DemoSettings(out=tmp_path / "quick", quick=True))
    assert not copy_shipped_base(DemoSettings(out=tmp_path / "rebuilt"), rebuild=True)
    assert copy_shipped_base(DemoSettings(out=tmp_path / "demo"))
    assert (tmp_path / "demo" / "base" / "model.safetensors").read_bytes() == (SHIPPED_BASE / "model.safetensors").read_bytes()
    assert not copy_shipped_base(DemoSettings(out=tmp_path / "demo"))  # a base already there is kept


@pytest.fixture(scope="module")
def demo(tang, tmp_path_factory):
    pytest.importorskip("trl", reason="the [train] extra is not installed")
    out = tmp_path_factory.mktemp("demo")
    done = subprocess.run([sys.executable, "-m", "poetbench", "demo", "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout


def test_form_and_line_length_regularity_improve_significantly(demo):
    out, _ = demo
    comparison = json.loads((out / "run" / "comparison.json").read_text(encoding="utf-8"))
    assert comparison["eval_set"]["name"] == "core-v1" and comparison["eval_set"]["n"] == 200
    last = comparison["labels"][-1]
    assert last == "step200"
    for metric in ("form_ok", "length_regularity"):
        paired = comparison["paired"][last][metric]
        assert paired["low"] > 0, (metric, paired)  # the whole 95% CI of the paired difference is above zero
        assert paired["p_holm"] < 0.05, (metric, paired)
    means = comparison["means"]
    assert means["base"]["form_ok"]["mean"] < 0.05 < means[last]["form_ok"]["low"]


def test_the_base_is_a_chat_model_that_writes_prose(demo):
    """The story the numbers tell: the base chats and writes prose; the last checkpoint writes verse."""
    out, _ = demo
    scores = {label: [json.loads(line)["scores"] for line in (out / "run" / label / "scores.jsonl").open(encoding="utf-8")]
              for label in ("base", "step200")}
    base_chatter = sum(s["chatter"] for s in scores["base"]) / len(scores["base"])
    last_chatter = sum(s["chatter"] for s in scores["step200"]) / len(scores["step200"])
    assert base_chatter > 0.1 and last_chatter < base_chatter
    regulated = {"wujue", "qijue", "wulv", "qilv"}
    assert sum(s["form"] in regulated for s in scores["base"]) == 0
    assert sum(s["form"] in regulated for s in scores["step200"]) > len(scores["step200"]) / 5


def test_demo_prints_the_table_the_gate_and_the_report(demo):
    out, stdout = demo
    assert "form_ok" in stdout and "poetbench gate:" in stdout
    readme_matches("poetbench demo", stdout, out)
    assert f"report: {out / 'run' / 'report' / 'index.html'}" in stdout
    result = json.loads((out / "demo.json").read_text(encoding="utf-8"))
    assert result["gate_exit"] in (0, 1) and (out / "gate.txt").is_file()


@pytest.fixture(scope="module")
def grpo_demo(demo):
    """The same demo again with `--grpo`: training reused, 60 GRPO steps, one more label (about 2 minutes)."""
    out, _ = demo
    done = subprocess.run([sys.executable, "-m", "poetbench", "demo", "--out", str(out), "--grpo"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return out, done.stdout


def test_grpo_raises_the_language_and_the_reward_table_shows_the_form_not_carrying(grpo_demo):
    """The README's GRPO claims: fluency and coherence up (paired, after Holm), PoetScore not
    significantly; the form reward up on the training prompts and down held out, and said so."""
    out, stdout = grpo_demo
    comparison = json.loads((out / "run" / "comparison.json").read_text(encoding="utf-8"))
    assert comparison["reference"] == "step200" and comparison["labels"][-1] == "grpo60"
    assert "grpo60" not in comparison["reward_hacking"]  # its meter fell with its form
    for metric in ("fluency", "coherence"):
        paired = comparison["paired"]["grpo60"][metric]
        assert paired["low"] > 0 and paired["p_holm"] < 0.05, (metric, paired)
    assert comparison["paired"]["grpo60"]["poetscore"]["low"] < 0 < comparison["paired"]["grpo60"]["poetscore"]["high"]
    manifest = json.loads((out / "grpo" / "train_manifest.json").read_text(encoding="utf-8"))
    assert manifest["global_step"] == 60 and 0 < manifest["reward_share"] < 0.05  # rewards do not dominate a step
    assert "GRPO against the SFT checkpoint" in stdout and "real held-out poems" in stdout
    assert "[2/5] training already done" in stdout  # SFT reused, not trained again
    gap = json.loads((out / "demo.json").read_text(encoding="utf-8"))["grpo"]["reward_gap"]
    assert [row["reward"] for row in gap] == list(manifest["rewards"])  # each reward, training side and held out
    assert all(row["delta"]["n"] == 200 for row in gap)
    form = next(row for row in gap if row["reward"] == "form")
    assert form["train_last"] > form["train_first"] and form["delta"]["high"] < 0 and form["verdict"] == "falls held out"
    readme_matches("poetbench demo --grpo", stdout, out)
