"""Arbitrary Unicode never crashes the scorer, and every record keeps its keys."""

from hypothesis import given, settings
from hypothesis import strategies as st

from poetbench.scoring import SCORE_KEYS, Scorer

SCORER = Scorer()
HAN_AND_PUNCTUATION = st.sampled_from(list("床前明月光疑是地上霜举头望低思故乡，。！？\n 《》（）：好的以下这首诗"))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text() | st.text(HAN_AND_PUNCTUATION, max_size=80), min_size=1, max_size=5))
def test_scorer_survives_any_text(texts):
    records = SCORER.score_many(texts)
    assert len(records) == len(texts)
    for record in records:
        assert tuple(record) == SCORE_KEYS
        assert record["n_lines"] >= 0
        if record["tone_conformity"] is not None:
            assert 0.0 <= record["tone_conformity"] <= 1.0


# -- Runs, the gate's baseline loader and the openai backend, fed what nobody should send ----------
# Every loop is bounded: a fixed number of examples, a deadline per example, and a timeout and
# retry count on every request (the server listens on 127.0.0.1 only).

import json  # noqa: E402
import math  # noqa: E402
import re  # noqa: E402
import tempfile  # noqa: E402
from datetime import timedelta  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, Phase  # noqa: E402

from fake_openai import FakeServer  # noqa: E402
from poetbench import evalsets  # noqa: E402
from poetbench.audit.poems import REGULATED  # noqa: E402
from poetbench.checkpoints import Checkpoint  # noqa: E402
from poetbench.gate import gate, save_baseline  # noqa: E402
from poetbench.generation.openai import OpenAIBackend, SampleFailed  # noqa: E402
from poetbench.jsonl import InputError  # noqa: E402
from poetbench.runner import Run, RunSettings, parse_gen_kwargs, read_samples  # noqa: E402

PROMPTS = evalsets.load("smoke-v1")
_LONE_HALF = re.compile("[\ud800-\udfff]")
ANY_CHAR = st.characters(exclude_categories=())  # surrogates, controls, U+2028, U+0085 included
NASTY = st.text(ANY_CHAR, max_size=40) | st.sampled_from(["\u2028", "\u2029", "\x85", "\r", "\r\n", "\ud800", "\x00",
                                                        "\ufeff", "\udfff白"])
OUTPUT = (st.lists(NASTY, max_size=8).map("".join)
          | st.builds(lambda piece, times: piece * times, NASTY, st.integers(1, 50_000)))  # huge lines too
# No shrinking: it can run for many minutes on these inputs; the failing example is printed as found.
BOUNDED = settings(max_examples=25, deadline=timedelta(seconds=60), phases=[Phase.explicit, Phase.reuse, Phase.generate],
                   suppress_health_check=[HealthCheck.too_slow])


@BOUNDED
@given(st.lists(OUTPUT, min_size=1, max_size=len(PROMPTS)))
def test_any_output_through_the_file_backend_and_score_run(outputs):
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "out.jsonl"
        source.write_text("".join(json.dumps({"prompt_id": p["id"], "output": o}) + "\n"
                                  for p, o in zip(PROMPTS, outputs)), encoding="ascii")  # \uXXXX escapes, lone halves too
        settings_ = RunSettings(checkpoints=f"x={source}", eval_set="smoke-v1", output=str(Path(tmp) / "run"),
                                backend="file")
        assert Run(settings_).generate(progress=False) == {"x": len(PROMPTS)}
        summary = Run(settings_).score()["x"]
        assert summary["n"] == len(outputs) and len(summary["missing"]) == len(PROMPTS) - len(outputs)
        saved = read_samples(Path(tmp) / "run" / "x" / "samples.jsonl")
        # Every output kept whole, one for one: as JSON reads it (\ud800\udfff is one character),
        # each lone half then replaced by U+FFFD.
        expected = [_LONE_HALF.sub("\ufffd", json.loads(json.dumps(o))) for o in outputs]
        assert sorted(row["output"] for row in saved.values() if not row["missing"]) == sorted(expected)
        assert Run(settings_).generate(progress=False) == {"x": 0}  # read back, nothing to redo


@pytest.fixture(scope="module")
def scored_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("gate")
    source = root / "out.jsonl"
    poems = [text for _, text in REGULATED.values()]
    source.write_text("".join(json.dumps({"prompt_id": p["id"], "output": poems[n % len(poems)]}, ensure_ascii=False)
                              + "\n" for n, p in enumerate(PROMPTS)), encoding="utf-8")
    run = Run(RunSettings(checkpoints=f"x={source}", eval_set="smoke-v1", output=str(root / "run"), backend="file"))
    run.generate(progress=False)
    run.score()
    return root / "run", save_baseline(root / "run", "x", root / "baseline.json")


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=20)


def _mutate(value, path: list[int], new):
    """``value`` with the node reached by ``path`` (child indices, wrapping) replaced by ``new``."""
    if not path or not isinstance(value, (dict, list)) or not value:
        return new
    keys = list(value) if isinstance(value, dict) else list(range(len(value)))
    key = keys[path[0] % len(keys)]
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[key] = _mutate(value[key], path[1:], new)
    return copy


@settings(BOUNDED, max_examples=150)
@given(st.lists(st.integers(0, 50), max_size=5), JSON | st.sampled_from([float("nan"), float("inf"), -1e308, "0.5"]),
       st.binary(max_size=200))
def test_the_gate_takes_any_baseline_and_answers_or_refuses(scored_run, path, new, junk):
    run_dir, baseline = scored_run
    with tempfile.TemporaryDirectory() as tmp:
        for content in (json.dumps(_mutate(baseline, path, new)).encode(), junk, b"[" * 100_000):
            target = Path(tmp) / "baseline.json"
            target.write_bytes(content)
            try:
                verdict = gate(run_dir, target)
            except InputError as exc:
                assert str(target) in str(exc) or "differ" in str(exc) or "share no prompt" in str(exc)
                continue
            assert verdict["exit_code"] in (0, 1)
            for check in verdict["checks"]:  # a figure that is not a number never passes
                assert check["regressed"] or all(map(math.isfinite, (check["delta"], check["low"], check["high"])))


@settings(max_examples=20, deadline=timedelta(seconds=60), phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(st.lists(st.binary(max_size=300) | st.sampled_from(["ok", "html", "empty", "error", "null", "blank", "truncated",
                                                            "503"]).map(str.encode), min_size=1, max_size=6))
def test_the_openai_backend_against_a_server_answering_garbage(answers):
    items = [({"id": f"p{n}", "prompt": f"写诗{n}"}, 0) for n in range(3)]
    with FakeServer(default="ok") as server:
        server.plan = [a.decode() if a in (b"ok", b"html", b"empty", b"error", b"null", b"blank", b"truncated", b"503")
                       else "raw:" + a.decode("utf-8", "surrogateescape") for a in answers]
        backend = OpenAIBackend(server.url, concurrency=2, retries=2, timeout=2.0, backoff=0.0)
        try:
            got = backend.generate(Checkpoint("a", "poet"), items, parse_gen_kwargs(""), 0)
        except SampleFailed as exc:
            assert "no usable answer after 3 tries" in str(exc) or "HTTP" in str(exc)
        else:
            assert len(got) == 3 and all(isinstance(g["output"], str) and g["output"].strip() for g in got)
        assert len(server.requests) <= len(items) * 3
