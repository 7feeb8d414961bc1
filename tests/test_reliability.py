"""Reliability: interrupted demo resumes without redoing work; unwritable outputs are one clear error."""

import json
import subprocess
import sys
from pathlib import Path

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


def on_a_terminal(*args) -> tuple[int, str, str]:
    """Run poetbench with stderr on a pseudo-terminal (120 x 40), as a user sees it: (exit code, stdout, stderr)."""
    import fcntl
    import os
    import pty
    import struct
    import termios
    import threading

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    chunks = []

    def drain():
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the child closed the terminal
                return
            if not chunk:
                return
            chunks.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    process = subprocess.Popen([sys.executable, "-m", "poetbench", *map(str, args)], stdout=subprocess.PIPE,
                               stderr=slave, text=True)
    os.close(slave)
    stdout, _ = process.communicate()
    reader.join(timeout=10)
    os.close(master)
    return process.returncode, stdout, b"".join(chunks).decode("utf-8", "replace")


def test_quick_demo_end_to_end_and_again_without_redoing_work(tang, tmp_path):
    pytest.importorskip("trl", reason="the [train] extra is not installed")
    code, stdout, terminal = on_a_terminal("demo", "--quick", "--out", tmp_path / "demo")
    assert code == 0, terminal[-2000:]
    assert "report:" in stdout and "poetbench gate:" in stdout
    # A quiet console: one bar per long stage, the loss in the bar, no log dicts, no library warnings.
    for stage in ("pre-training the tiny base", "LoRA (SFT)", "generating base", "generating step50", "scoring"):
        assert f"{stage}: 100%" in terminal, stage
    assert "loss=" in terminal
    for noise in ("{'loss'", "Warning", "Writing model shards", "Loading weights", "Tokenizing"):
        assert noise not in terminal + stdout, noise
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


def test_run_options_below_one_are_argument_errors(tmp_path):
    from poetbench.jsonl import InputError

    for option in ("--batch-size", "--limit", "--num-samples"):
        for value in ("0", "-3"):
            done = cli("run", "--backend", "file", "--checkpoints", "x=missing.jsonl", "--eval-set", "smoke-v1",
                       "-o", tmp_path / "run", option, value)
            assert done.returncode == 2 and f"argument {option}" in done.stderr and "internal error" not in done.stderr
    assert not (tmp_path / "run").exists()
    with pytest.raises(InputError, match="--num-samples 0"):
        RunSettings(checkpoints="x=y", eval_set="smoke-v1", output=str(tmp_path / "run"), num_samples=0)


def test_outputs_with_unicode_line_separators_do_not_poison_a_run(tmp_path):
    # U+2028, U+2029 and U+0085 are line breaks to str.splitlines(), not to JSONL.
    from poetbench import evalsets

    ids = [p["id"] for p in evalsets.load("smoke-v1")]
    text = "床前明月光，\u2028疑是地上霜。\u2029举头望明月，\u0085低头思故乡。"
    outputs = tmp_path / "outputs.jsonl"
    outputs.write_text("".join(json.dumps({"prompt_id": p, "output": text}, ensure_ascii=False) + "\n" for p in ids),
                       encoding="utf-8")
    settings = RunSettings(checkpoints=f"a={outputs}", eval_set="smoke-v1", output=str(tmp_path / "run"), backend="file")
    Run(settings).generate(progress=False)
    Run(settings).generate(progress=False)  # reads every sample back: none may look corrupt
    Run(settings).score()
    done = cli("score-run", tmp_path / "run")
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "run" / "a" / "samples.jsonl").read_text(encoding="utf-8").split("\n") if line]
    assert len(rows) == len(ids) and all(row["output"] == text for row in rows)


@pytest.mark.parametrize("label", [".", "..", "run.json", "report", ".hidden"])
def test_reserved_labels_are_refused_and_nothing_is_written_outside_the_run(tmp_path, label):
    outputs = tmp_path / "outputs.jsonl"
    outputs.write_text(json.dumps({"prompt_id": "x", "output": "床前明月光"}) + "\n", encoding="utf-8")
    run_dir = tmp_path / "deep" / "run"
    done = cli("run", "--backend", "file", "--checkpoints", f"{label}={outputs}", "--eval-set", "smoke-v1", "-o", run_dir)
    assert done.returncode == 2 and "reserved" in done.stderr and "internal error" not in done.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["outputs.jsonl"]  # nothing written anywhere


def test_a_label_folder_always_lies_inside_the_run(tmp_path):
    from poetbench.jsonl import InputError
    from poetbench.runner import label_folder

    assert label_folder(tmp_path, "base") == tmp_path / "base"
    for label in ("..", ".", "a/../..", "report"):  # e.g. from a hand-edited run.json
        with pytest.raises(InputError, match="inside the run directory"):
            label_folder(tmp_path, label)


@pytest.mark.parametrize("bad", [b'"output": 17', b'"output": null', b'"output": "\xff\xfe"'])
def test_a_bad_sample_field_is_bad_input_with_its_line(tmp_path, bad):
    outputs = tmp_path / "outputs.jsonl"
    outputs.write_text(json.dumps({"prompt_id": "x", "output": "床前明月光"}) + "\n", encoding="utf-8")
    args = ["--backend", "file", "--checkpoints", f"a={outputs}", "--eval-set", "smoke-v1", "-o", tmp_path / "run"]
    cli("run", *args)
    samples = tmp_path / "run" / "a" / "samples.jsonl"
    lines = samples.read_bytes().split(b"\n")
    first = json.loads(lines[0])
    lines[1] = b'{"key": "' + first["key"].encode() + b'x", "prompt_id": "p", "sample_index": 0, ' + bad + b"}"
    samples.write_bytes(b"\n".join(lines))
    for command in (["run", *args], ["score-run", tmp_path / "run"]):
        done = cli(*command)
        assert done.returncode == 2 and f"{samples}:2:" in done.stderr and "internal error" not in done.stderr, done.stderr


def test_a_lone_surrogate_in_an_output_is_replaced_and_noted(tmp_path):
    from poetbench import evalsets

    ids = [p["id"] for p in evalsets.load("smoke-v1")]
    outputs = tmp_path / "outputs.jsonl"  # \ud800 alone: valid JSON, not encodable as UTF-8
    outputs.write_text("".join('{"prompt_id": "%s", "output": "床前明月光\\ud800，疑是地上霜。"}\n' % p for p in ids),
                       encoding="utf-8")
    args = ["--backend", "file", "--checkpoints", f"a={outputs}", "--eval-set", "smoke-v1", "-o", tmp_path / "run"]
    done = cli("run", *args)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in (tmp_path / "run" / "a" / "samples.jsonl").read_text(encoding="utf-8").split("\n") if line]
    assert len(rows) == len(ids)
    assert all(row["output"] == "床前明月光\ufffd，疑是地上霜。" and "U+FFFD" in row["warning"] for row in rows)
    assert cli("run", *args).returncode == 0  # nothing left to generate, nothing corrupt


def _score_until_written(tmp_path, poems):
    """Start `score --jobs 2` on ``poems`` in a session of its own; return it once its temporary
    output holds data (the workers are scoring)."""
    import time

    process = subprocess.Popen([sys.executable, "-m", "poetbench", "score", str(poems), "-o", str(tmp_path / "out.jsonl"),
                                "--jobs", "2"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.stat().st_size for p in tmp_path.glob(".out.jsonl.*.poetbench-tmp")):
            return process
        time.sleep(0.05)
    process.kill()
    pytest.fail("score never started writing")


def test_temp_files_go_on_sigterm_and_after_kill_9_with_the_next_run(tmp_path):
    import os
    import signal

    row = json.dumps({"text": "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"}, ensure_ascii=False) + "\n"
    poems = tmp_path / "poems.jsonl"
    poems.write_text(row * 400_000, encoding="utf-8")
    process = _score_until_written(tmp_path, poems)
    os.killpg(process.pid, signal.SIGTERM)  # the parent and both workers, as a service manager would
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert stderr.strip() == "poetbench: terminated; nothing was written over"  # no worker tracebacks
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poems.jsonl"]

    process = _score_until_written(tmp_path, poems)
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    left = [p.name for p in tmp_path.glob(".out.jsonl.*")]
    assert len(left) == 1 and left[0].endswith(f".{process.pid}.poetbench-tmp")  # whose, and for what
    (tmp_path / "few.jsonl").write_text(row * 3, encoding="utf-8")
    assert cli("score", tmp_path / "few.jsonl", "-o", tmp_path / "out.jsonl").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["few.jsonl", "out.jsonl", "poems.jsonl"]


def test_a_worker_killed_by_the_oom_killer_is_one_clear_error(tmp_path):
    import os
    import signal

    row = json.dumps({"text": "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"}, ensure_ascii=False) + "\n"
    poems = tmp_path / "poems.jsonl"
    poems.write_text(row * 400_000, encoding="utf-8")
    process = _score_until_written(tmp_path, poems)
    workers = [int(pid) for pid in Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()]
    assert len(workers) == 2
    os.kill(workers[0], signal.SIGKILL)  # the other ignores SIGTERM: the parent must kill it itself
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 2
    assert stderr.strip().startswith("poetbench: error: a scoring worker process died")
    assert "--jobs 1" in stderr and "Traceback" not in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["poems.jsonl"]
    for pid in workers:  # none left running
        stat = Path(f"/proc/{pid}/stat")
        assert not stat.exists() or stat.read_text().split(")")[-1].split()[0] == "Z"


def test_harmless_warnings_are_filtered_and_verbose_brings_them_back():
    import warnings

    from poetbench.console import HARMLESS, quiet

    message = "`gradient_checkpointing` is deprecated and will be removed in v6."
    for verbose, expected in ((False, 0), (True, 1)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            quiet(verbose)
            warnings.warn(message, FutureWarning)
            warnings.warn("an unknown warning", FutureWarning)  # never filtered
        assert [str(w.message) for w in caught].count(message) == expected
        assert "an unknown warning" in [str(w.message) for w in caught]
    assert all(why for _, _, why in HARMLESS)  # each filter says why it is harmless
