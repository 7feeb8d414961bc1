"""The openai backend against a misbehaving server (tests/fake_openai.py, 127.0.0.1 only):
malformed answers are retried and never saved, each answer is saved as it arrives, and the
timeout, retries, API key and base URL options hold."""

import json
import os
import subprocess
import sys
import time

import pytest

from fake_openai import BAD, FakeServer
from poetbench import evalsets
from poetbench.checkpoints import Checkpoint
from poetbench.generation.openai import OpenAIBackend, SampleFailed
from poetbench.jsonl import InputError
from poetbench.runner import Run, RunSettings, parse_gen_kwargs, read_samples

ITEMS = [({"id": "p1", "prompt": "写诗"}, 0)]


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "poetbench", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=120)


def backend(url, **kwargs):
    return OpenAIBackend(url, **{"concurrency": 2, "retries": 2, "timeout": 2.0, "backoff": 0.01, **kwargs})


@pytest.mark.parametrize("bad", BAD)
def test_a_malformed_answer_is_a_failed_attempt_and_is_retried(bad):
    with FakeServer() as server:
        server.plan = [bad, "ok"]
        got = backend(server.url).generate(Checkpoint("a", "poet"), ITEMS, parse_gen_kwargs(""), 0)
        assert got[0]["output"] == "poet：白日依山尽，黄河入海流。" and len(server.requests) == 2


@pytest.mark.parametrize("bad", BAD)
def test_a_server_that_only_answers_badly_fails_the_sample_clearly(bad):
    with FakeServer(default=bad) as server:
        with pytest.raises(SampleFailed, match=r"prompt 'p1' \(sample 0\): .* no usable answer after 3 tries") as caught:
            backend(server.url).generate(Checkpoint("a", "poet"), ITEMS, parse_gen_kwargs(""), 0)
        assert len(server.requests) == 3
        assert ("HTTP 200 with" in str(caught.value)) == (bad not in ("503", "429", "truncated"))


def test_an_answer_without_text_is_never_saved_and_a_rerun_finishes_the_run(tmp_path):
    with FakeServer(default="null") as server:
        settings = RunSettings(checkpoints="m=poet", eval_set="smoke-v1", output=str(tmp_path / "r"), backend="openai",
                               base_url=server.url, limit=3, max_retries=1, timeout=2.0)
        with pytest.raises(InputError, match="a message with no text"):
            Run(settings).generate(progress=False)
        assert read_samples(tmp_path / "r" / "m" / "samples.jsonl") == {}
        server.default = "ok"
        assert Run(settings).generate(progress=False) == {"m": 3}
        summary = Run(settings).score()["m"]
        assert summary["n"] == 3 and summary["missing"] == []


def test_each_answer_is_saved_as_it_arrives_when_another_sample_fails(tmp_path):
    prompts = evalsets.load("smoke-v1")[:6]
    with FakeServer() as server:
        server.by_prompt = {prompts[2]["prompt"]: "error"}
        settings = RunSettings(checkpoints="m=poet", eval_set="smoke-v1", output=str(tmp_path / "r"), backend="openai",
                               base_url=server.url, limit=6, concurrency=6, batch_size=8, max_retries=1)
        with pytest.raises(InputError, match="overloaded"):
            Run(settings).generate(progress=False)
        saved = read_samples(tmp_path / "r" / "m" / "samples.jsonl")
        assert sorted(row["prompt_id"] for row in saved.values()) == sorted(p["id"] for i, p in enumerate(prompts) if i != 2)
        server.by_prompt = {}
        assert Run(settings).generate(progress=False) == {"m": 1}  # only the failed one again


def test_timeout_and_max_retries_bound_a_server_that_never_answers(tmp_path):
    with FakeServer(default="slow") as server:
        started = time.perf_counter()
        done = cli("run", "--backend", "openai", "--base-url", server.url, "--checkpoints", "m=poet", "--eval-set",
                   "smoke-v1", "--limit", "1", "-o", tmp_path / "r", "--timeout", "0.2", "--max-retries", "1")
        elapsed = time.perf_counter() - started
        assert done.returncode == 2 and "no usable answer after 2 tries" in done.stderr and "Traceback" not in done.stderr
        assert len(server.requests) == 2 and elapsed < 30
    for option, value in (("--timeout", "0"), ("--timeout", "-1"), ("--timeout", "soon"), ("--max-retries", "-1")):
        done = cli("run", "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--checkpoints", "m=poet",
                   "--eval-set", "smoke-v1", "-o", tmp_path / "bad", option, value)
        assert done.returncode == 2 and f"argument {option}" in done.stderr
    assert not (tmp_path / "bad").exists()


def test_the_api_key_is_sent_and_never_printed_or_written(tmp_path):
    secret = "sk-test-0123456789abcdef"
    with FakeServer() as server:
        done = cli("run", "--backend", "openai", "--base-url", server.url, "--checkpoints", "m=poet", "--eval-set",
                   "smoke-v1", "--limit", "2", "-o", tmp_path / "r", "--api-key-env", "POETBENCH_TEST_KEY",
                   env={"POETBENCH_TEST_KEY": secret})
        assert done.returncode == 0, done.stderr
        assert {r["authorization"] for r in server.requests} == {f"Bearer {secret}"}
        server.default = "401"
        refused = cli("run", "--backend", "openai", "--base-url", server.url, "--checkpoints", "n=poet", "--eval-set",
                      "smoke-v1", "--limit", "2", "-o", tmp_path / "r", "--api-key-env", "POETBENCH_TEST_KEY",
                      env={"POETBENCH_TEST_KEY": secret})
        assert refused.returncode == 2 and "check the API key" in refused.stderr
    written = b"".join(p.read_bytes() for p in (tmp_path / "r").rglob("*") if p.is_file())
    assert secret.encode() not in written
    assert secret not in done.stdout + done.stderr + refused.stdout + refused.stderr
    assert json.loads((tmp_path / "r" / "run.json").read_text())["settings"]["api_key_env"] == "POETBENCH_TEST_KEY"
    unset = cli("run", "--backend", "openai", "--base-url", "http://127.0.0.1:9/v1", "--checkpoints", "m=poet",
                "--eval-set", "smoke-v1", "-o", tmp_path / "unset", "--api-key-env", "POETBENCH_NO_SUCH_KEY")
    assert unset.returncode == 2 and "POETBENCH_NO_SUCH_KEY" in unset.stderr and not (tmp_path / "unset").exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/v1", "127.0.0.1:8000/v1", "http://"])
def test_only_http_and_https_base_urls(tmp_path, url):
    done = cli("run", "--backend", "openai", "--base-url", url, "--checkpoints", "m=poet", "--eval-set", "smoke-v1",
               "-o", tmp_path / "r")
    assert done.returncode == 2 and "http:// or https://" in done.stderr and not (tmp_path / "r").exists()
    with pytest.raises(InputError, match="http:// or https://"):
        OpenAIBackend(url)
