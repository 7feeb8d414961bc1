"""Reliability: interrupted demo resumes without redoing work; unwritable outputs are one clear error."""

import json
import subprocess
import sys

import pytest

from poetbench.runner import Run, RunSettings


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "poetbench", *map(str, args)], capture_output=True, text=True, **kwargs)


@pytest.mark.parametrize("command", [
    ["score", "{poems}", "-o", "{blocked}/out.jsonl"],
    ["run", "--backend", "file", "--checkpoints", "a={outputs}", "--eval-set", "smoke-v1", "-o", "{blocked}/run"],
])
def test_unwritable_output_is_one_clear_error(tmp_path, command):
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    (tmp_path / "poems.jsonl").write_text('{"text": "白日依山尽"}\n', encoding="utf-8")
    (tmp_path / "outputs.jsonl").write_text('{"prompt_id": "smoke-v1/topic-00", "output": "x"}\n', encoding="utf-8")
    args = [part.format(poems=tmp_path / "poems.jsonl", outputs=tmp_path / "outputs.jsonl", blocked=blocked)
            for part in command]
    done = cli(*args)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert str(blocked) in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_quick_demo_end_to_end_and_again_without_redoing_work(tang, tmp_path):
    pytest.importorskip("trl", reason="the [train] extra is not installed")
    done = cli("demo", "--quick", "--out", tmp_path / "demo")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "report:" in done.stdout and "poetbench gate:" in done.stdout
    assert (tmp_path / "demo" / "run" / "report" / "index.html").is_file()
    result = json.loads((tmp_path / "demo" / "demo.json").read_text(encoding="utf-8"))
    assert result["gate_exit"] in (0, 1)
    again = cli("demo", "--quick", "--out", tmp_path / "demo")
    assert again.returncode == 0 and "training already done" in again.stdout
    manifest = json.loads((tmp_path / "demo" / "run" / "run.json").read_text(encoding="utf-8"))
    assert set(manifest["generated"].values()) == {0}  # nothing generated twice
    run = Run(RunSettings(**{**manifest["settings"], "output": str(tmp_path / "demo" / "run")}))
    for checkpoint in run.checkpoints:
        lines = (tmp_path / "demo" / "run" / checkpoint.label / "samples.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len({json.loads(line)["key"] for line in lines}) == 12
