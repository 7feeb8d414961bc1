"""The openai backend against a misbehaving server (tests/fake_openai.py, 127.0.0.1 only):
malformed answers are retried and never saved, each answer is saved as it arrives, and the
timeout, retries, API key and base URL options hold."""

import http.client
import json
import os
import subprocess
import sys
import time

import pytest

from fake_openai import BAD, FakeServer
from poetbench import evalsets
from poetbench.checkpoints import Checkpoint
from poetbench.generation.openai import MAX_ANSWER_BYTES, OpenAIBackend, SampleFailed
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


def count_reads(monkeypatch) -> list[int]:
    """The bytes of body each read of the client returns, appended as they come (issue 28)."""
    got: list[int] = []
    read1 = http.client.HTTPResponse.read1

    def counted(self, n=-1):
        chunk = read1(self, n)
        got.append(len(chunk))
        return chunk

    monkeypatch.setattr(http.client.HTTPResponse, "read1", counted)
    return got


@pytest.mark.parametrize("action", ["trickle", "trickle-head", "events"])
def test_the_timeout_bounds_the_whole_request_not_each_read(action):
    # Issue 28 B: one byte every 0.05 s kept each read under the timeout, so an answer took as long as
    # the server liked and a garbage event stream ran until killed.
    with FakeServer(default=action) as server:
        started = time.perf_counter()
        with pytest.raises(SampleFailed, match=r"after 2 tries \(last: no complete answer within 0\.5 s"):
            backend(server.url, timeout=0.5, retries=1).generate(Checkpoint("a", "poet"), ITEMS, parse_gen_kwargs(""), 0)
        assert time.perf_counter() - started < 2.5 and len(server.requests) == 2


def test_a_slow_answer_within_the_timeout_is_accepted():
    with FakeServer(default="trickle") as server:
        server.trickle_delay = 0.01  # about 130 bytes: 1.5 s in all, each read far quicker than the timeout
        got = backend(server.url, timeout=5.0).generate(Checkpoint("a", "poet"), ITEMS, parse_gen_kwargs(""), 0)
        assert got[0]["output"] == "poet：白日依山尽，黄河入海流。" and len(server.requests) == 1


@pytest.mark.parametrize("action", ["big", "bigstream"])
def test_an_answer_over_the_size_limit_is_a_failed_attempt_and_only_the_limit_is_read(monkeypatch, action):
    # Issue 28 C: a 10 MB answer was read whole and accepted.
    reads = count_reads(monkeypatch)
    limit = 64 * 1024
    with FakeServer(default=f"{action}:{limit + 1}") as server:
        server.plan = [f"{action}:{limit}"]  # exactly the limit is fine; one byte more is not
        two = [({"id": "p1", "prompt": "写诗"}, 0), ({"id": "p2", "prompt": "再写"}, 0)]
        with pytest.raises(SampleFailed, match=r"no usable answer after 3 tries \(last: HTTP 200 with an answer .*"
                                               r"over the 64 KiB limit") as caught:
            backend(server.url, concurrency=1, max_bytes=limit).generate(Checkpoint("a", "poet"), two,
                                                                         parse_gen_kwargs(""), 0)
        assert "prompt 'p2'" in str(caught.value) and len(server.requests) == 4
        assert sum(reads) <= limit + 3 * (limit + 1)  # p1's whole answer, then at most limit + 1 bytes a try
        if action == "big":
            assert "an answer of 64 KiB" in str(caught.value) and sum(reads) == limit  # refused on its Content-Length
        reads.clear()
        server.default, server.plan = "ok", [f"{action}:{limit + 1}"]
        got = backend(server.url, max_bytes=limit).generate(Checkpoint("a", "poet"), ITEMS, parse_gen_kwargs(""), 0)
        assert got[0]["output"] == "poet：白日依山尽，黄河入海流。" and len(server.requests) == 6


@pytest.mark.parametrize("action", ["big:10000000", "bigstream:10000000", "flood"])
def test_the_default_limit_refuses_a_10_mb_answer(monkeypatch, action):
    reads = count_reads(monkeypatch)
    with FakeServer(default=action) as server:
        with pytest.raises(SampleFailed, match="over the 4 MiB limit"):
            OpenAIBackend(server.url, retries=1, timeout=5.0, backoff=0.01).generate(
                Checkpoint("a", "poet"), ITEMS, parse_gen_kwargs(""), 0)
        assert MAX_ANSWER_BYTES == 4 * 2**20 and sum(reads) <= 2 * (MAX_ANSWER_BYTES + 1)


@pytest.mark.parametrize("action, told", [("flood", "over the 4 MiB limit"), ("trickle", "no complete answer within 1 s")])
def test_a_server_that_streams_without_end_stops_the_run_clearly_and_keeps_what_was_saved(tmp_path, action, told):
    # Issue 28 A: `--timeout 3` against a server streaming spaces forever grew to 24 GB.
    prompts = evalsets.load("smoke-v1")[:3]
    with FakeServer() as server:
        server.by_prompt = {prompts[2]["prompt"]: action}
        started = time.perf_counter()
        done = cli("run", "--backend", "openai", "--base-url", server.url, "--checkpoints", "m=poet", "--eval-set",
                   "smoke-v1", "--limit", "3", "-o", tmp_path / "r", "--timeout", "1", "--max-retries", "1",
                   "--concurrency", "1")
        assert time.perf_counter() - started < 30
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert f"prompt '{prompts[2]['id']}' (sample 0)" in done.stderr and "after 2 tries" in done.stderr
        assert told in done.stderr
        saved = read_samples(tmp_path / "r" / "m" / "samples.jsonl")
        assert sorted(row["prompt_id"] for row in saved.values()) == sorted(p["id"] for p in prompts[:2])


def test_another_model_answering_is_warned_once_per_label_and_recorded(tmp_path):
    # Issue 28 I: a server answering as another model than the one asked for went unnoticed.
    with FakeServer() as server:
        server.serve_as = {"verse": "poet"}  # one model served whatever is asked, as llama.cpp does
        done = cli("run", "--backend", "openai", "--base-url", server.url, "--checkpoints", "a=poet,b=verse",
                   "--eval-set", "smoke-v1", "--limit", "3", "-o", tmp_path / "r")
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "answered as" in line]
    assert warnings == ["warning: label 'b' asked for model 'verse', and the server answered as 'poet' "
                        "(kept as served_model in samples.jsonl and run.json)"]
    manifest = json.loads((tmp_path / "r" / "run.json").read_text())
    assert manifest["status"] == "scored" and manifest["served_model"] == {"a": ["poet"], "b": ["poet"]}
    rows = read_samples(tmp_path / "r" / "b" / "samples.jsonl").values()
    assert len(rows) == 3 and {row["served_model"] for row in rows} == {"poet"}


def test_an_answer_that_names_no_model_is_accepted_without_a_served_model(tmp_path):
    raw = 'raw:{"choices": [{"message": {"content": "白日依山尽"}}]}'
    with FakeServer(default=raw) as server:
        settings = RunSettings(checkpoints="m=poet", eval_set="smoke-v1", output=str(tmp_path / "r"), backend="openai",
                               base_url=server.url, limit=2)
        assert Run(settings).generate(progress=False) == {"m": 2}
    assert all("served_model" not in row for row in read_samples(tmp_path / "r" / "m" / "samples.jsonl").values())
    assert "served_model" not in json.loads((tmp_path / "r" / "run.json").read_text())
