"""`poetbench run`: checkpoints from a training directory, resume after kill -9, the cache keyed by
weights, deterministic batches, and the file and openai backends."""

import json
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from poetbench.checkpoints import identity, parse_spec
from poetbench.jsonl import InputError
from poetbench.runner import Run, RunSettings, parse_gen_kwargs, read_samples, score_run

pytest.importorskip("trl", reason="the [train] extra is not installed")

from test_data import planted, write_corpus  # noqa: E402

from poetbench.audit.poems import REGULATED, VERNACULAR  # noqa: E402
from poetbench.data.prepare import prepare  # noqa: E402
from training import tiny  # noqa: E402
from training.train import main as train_main  # noqa: E402

CONFIG = str(Path(__file__).resolve().parents[1] / "training" / "configs" / "tiny-cpu.yaml")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A tiny base and a training directory with checkpoint-1 and checkpoint-2."""
    root = tmp_path_factory.mktemp("runner")
    write_corpus(root / "corpus", planted())
    prepare(f"chinese-poetry:{root / 'corpus'}", root / "split", forms=None, heldout=0.2)
    tiny.build(root / "base", vocab_size=900, texts=[t for _, t in REGULATED.values()] * 3 + VERNACULAR)
    assert train_main(["--config", CONFIG, "--set", f"output_dir={root / 'train'}", f"model_name_or_path={root / 'base'}",
                       f"data.prepared={root / 'split'}", "max_steps=2", "save_steps=1", "per_device_train_batch_size=4",
                       "poetbench_callback=null", "report_to=[]", "learning_rate=0.05"]) == 0
    return root


def settings(root, out, **extra):
    return RunSettings(checkpoints=str(root / "train"), eval_set="smoke-v1", output=str(root / out),
                       gen_kwargs=parse_gen_kwargs("max_new_tokens=12"), **extra)


def test_training_directory_expands_to_base_and_steps(trained):
    checkpoints = parse_spec(str(trained / "train"))
    assert [c.label for c in checkpoints] == ["base", "step1", "step2"]
    assert checkpoints[0].path == str(trained / "base") and checkpoints[1].adapter and checkpoints[2].step == 2
    mixed = parse_spec(f"mine={trained / 'train' / 'checkpoint-2'},{trained / 'train'}")
    assert [c.label for c in mixed] == ["mine", "base", "step1", "step2"]


@pytest.mark.parametrize("spec,message", [
    ("x=/nowhere/at/all", "no such folder"),
    ("bad label=foo/bar", "label 'bad label'"),
    ("/nowhere", "no such training directory"),
    ("", "name at least one"),
])
def test_bad_specs_fail_before_loading(spec, message):
    with pytest.raises(InputError, match=message):
        parse_spec(spec)


def test_adapter_with_another_base_is_refused(trained, tmp_path):
    other = tmp_path / "other-base"
    tiny.build(other, vocab_size=700, texts=VERNACULAR * 3)
    with pytest.raises(InputError, match="is not the base of the adapters"):
        parse_spec(f"base={other},s2={trained / 'train' / 'checkpoint-2'}")


def test_cli_errors_are_one_line_before_any_model_loads(trained):
    for args, message in ((["--checkpoints", "x=/nowhere/at/all", "--eval-set", "smoke-v1"], "no such folder"),
                          (["--checkpoints", str(trained / "train"), "--eval-set", "nope-v9"], "not found")):
        done = subprocess.run([sys.executable, "-m", "poetbench", "run", *args, "-o", str(trained / "never")],
                              capture_output=True, text=True)
        assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


def test_run_writes_the_run_directory(trained):
    run = Run(settings(trained, "run"))
    assert run.generate(progress=False) == {"base": 12, "step1": 12, "step2": 12}
    summaries = run.score()
    manifest = json.loads((trained / "run" / "run.json").read_text(encoding="utf-8"))
    assert manifest["eval_set"]["n"] == 12 and len(manifest["eval_set"]["sha256"]) == 64
    assert [c["identity"] for c in manifest["checkpoints"]] == [identity(c) for c in run.checkpoints]
    assert manifest["signature"].startswith("poetbench:") and manifest["generation"]["gen_kwargs"]["max_new_tokens"] == 12
    assert {"versions", "git_commit", "timings", "command"} <= set(manifest)
    summary = summaries["step2"]
    assert summary["n"] == 12 and set(summary["metrics"]["poetscore"]) == {"mean", "low", "high", "n"}
    # Identities differ: the base and each adapter get their own samples, never shared.
    assert len({c.identity for c in run.checkpoints}) == 3
    # Nothing is generated twice.
    assert Run(settings(trained, "run")).generate(progress=False) == {"base": 0, "step1": 0, "step2": 0}
    assert score_run(trained / "run")["base"]["n"] == 12


def test_same_outputs_with_batch_sizes_1_and_8(trained):
    for gen in ("max_new_tokens=12", "temperature=0.9,top_p=0.9,max_new_tokens=12"):
        outputs = []
        for batch in (1, 8):
            out = f"batch{batch}-{len(gen)}"
            run = Run(RunSettings(checkpoints=f"s2={trained / 'train' / 'checkpoint-2'}", eval_set="smoke-v1",
                                  output=str(trained / out), batch_size=batch, gen_kwargs=parse_gen_kwargs(gen)))
            run.generate(progress=False)
            rows = read_samples(trained / out / "s2" / "samples.jsonl")
            outputs.append({r["prompt_id"]: r["output"] for r in rows.values()})
        assert outputs[0] == outputs[1]


def test_new_weights_at_the_same_path_are_generated_again(trained, tmp_path):
    import shutil

    from safetensors.torch import load_file, save_file

    copy = tmp_path / "ckpt"
    shutil.copytree(trained / "train" / "checkpoint-2", copy)
    spec = f"mine={copy}"
    first = Run(RunSettings(checkpoints=spec, eval_set="smoke-v1", output=str(tmp_path / "r"), limit=3,
                            gen_kwargs=parse_gen_kwargs("max_new_tokens=4")))
    assert first.generate(progress=False) == {"mine": 3}
    weights = load_file(copy / "adapter_model.safetensors")
    save_file({k: v + 0.01 for k, v in weights.items()}, copy / "adapter_model.safetensors")
    again = Run(RunSettings(checkpoints=spec, eval_set="smoke-v1", output=str(tmp_path / "r"), limit=3,
                            gen_kwargs=parse_gen_kwargs("max_new_tokens=4")))
    assert again.checkpoints[0].identity != first.checkpoints[0].identity
    assert again.generate(progress=False) == {"mine": 3}


def test_kill_9_mid_run_then_the_same_command_finishes_without_duplicates(trained):
    out = trained / "killed"
    command = [sys.executable, "-m", "poetbench", "run", "--checkpoints", str(trained / "train"), "--eval-set", "smoke-v1",
               "-o", str(out), "--batch-size", "1", "--num-samples", "3", "--gen-kwargs", "max_new_tokens=24"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = out / "base" / "samples.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and (not samples.exists() or samples.read_bytes().count(b"\n") < 5):
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = {k for k in read_samples(samples)}
    assert 5 <= len(before) < 36 * 3  # killed in the middle
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-1500:]
    for label in ("base", "step1", "step2"):
        lines = (out / label / "samples.jsonl").read_text(encoding="utf-8").splitlines()
        keys = [json.loads(line)["key"] for line in lines]
        assert len(keys) == len(set(keys)) == 36  # 12 prompts x 3 samples, each once
    assert before <= set(read_samples(samples))  # nothing on disk was replaced
    assert "base" in done.stdout and "step2" in done.stdout  # the table


def test_corrupt_line_in_a_run_is_reported_with_its_number(trained):
    import shutil

    shutil.copytree(trained / "run", trained / "corrupt")
    path = trained / "corrupt" / "step1" / "samples.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[3] = "{not json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="samples.jsonl:4: corrupt"):
        score_run(trained / "corrupt")


def test_file_backend_reports_missing_prompts(tmp_path):
    from poetbench import evalsets

    prompts = evalsets.load("smoke-v1")
    outputs = tmp_path / "mine.jsonl"
    outputs.write_text("".join(json.dumps({"prompt_id": p["id"], "output": REGULATED["登鸛雀樓"][1]}, ensure_ascii=False)
                               + "\n" for p in prompts[:10]), encoding="utf-8")
    run = Run(RunSettings(checkpoints=f"mine={outputs}", eval_set="smoke-v1", output=str(tmp_path / "r"), backend="file"))
    run.generate(progress=False)
    summary = run.score()["mine"]
    assert summary["n"] == 10 and summary["missing"] == [p["id"] for p in prompts[10:]]
    assert summary["metrics"]["tone_ok"]["mean"] == 1.0


class _Server(BaseHTTPRequestHandler):
    plan: list = []  # per request: "ok", "503" or "slow"

    def do_POST(self):  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        action = self.plan.pop(0) if self.plan else "ok"
        if action == "slow":
            time.sleep(1.0)
        if action == "503":
            self.send_response(503)
            self.end_headers()
            return
        answer = {"choices": [{"message": {"content": f"{body['model']}：白日依山尽，黄河入海流。"}}]}
        data = json.dumps(answer, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = HTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()


def test_openai_backend_success_retry_and_timeout(server, tmp_path):
    from poetbench.checkpoints import Checkpoint
    from poetbench.generation.openai import OpenAIBackend

    items = [({"id": "p1", "prompt": "写诗"}, 0), ({"id": "p2", "prompt": "写诗"}, 0)]
    backend = OpenAIBackend(server, concurrency=2, retries=3, timeout=0.5, backoff=0.01)
    _Server.plan = ["503", "503"]
    got = backend.generate(Checkpoint("a", "poet-lora"), items, parse_gen_kwargs(""), 0)
    assert [g["output"] for g in got] == ["poet-lora：白日依山尽，黄河入海流。"] * 2  # retried past the 503s
    _Server.plan = ["slow"] * 10
    with pytest.raises(InputError, match="no usable answer after 4 tries"):
        backend.generate(Checkpoint("a", "m"), items[:1], parse_gen_kwargs(""), 0)
    _Server.plan = []
    run = Run(RunSettings(checkpoints="lora=poet-lora", eval_set="smoke-v1", output=str(tmp_path / "r"),
                          backend="openai", base_url=server, limit=4))
    assert run.generate(progress=False) == {"lora": 4}
    assert run.score()["lora"]["metrics"]["chatter"]["mean"] == 1.0  # "poet-lora：" is talk before the poem


def test_four_bit_generation_needs_cuda(trained):
    import torch

    if torch.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(InputError, match="--load-in-4bit needs a CUDA GPU"):
        Run(settings(trained, "q4", load_in_4bit=True))


def test_a_label_with_a_dot_generates_with_the_hf_backend(trained, tmp_path):
    """peft refuses adapter names with "." (a module name); labels may hold one (grpo60-no_chatter0.5)."""
    run = Run(RunSettings(checkpoints=f"sft.v1={trained / 'train' / 'checkpoint-1'},rl.0.5={trained / 'train' / 'checkpoint-2'}",
                          eval_set="smoke-v1", output=str(tmp_path / "r"), limit=2,
                          gen_kwargs=parse_gen_kwargs("max_new_tokens=6")))
    assert run.generate(progress=False) == {"sft.v1": 2, "rl.0.5": 2}
