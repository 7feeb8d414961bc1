"""``--lm hf:PATH``: bits per character under a causal LM, on the tiny model (README, "Fluency
and coherence"): batched, cached, in the signature, safetensors only unless --allow-pickle."""

from __future__ import annotations

import json
import math

import pytest

pytest.importorskip("transformers", reason="the [train] extra is not installed")

from poetbench.audit.poems import REGULATED, VERNACULAR  # noqa: E402
from poetbench.cli import main  # noqa: E402
from poetbench.jsonl import InputError  # noqa: E402
from poetbench.language import neural  # noqa: E402
from poetbench.scoring import Scorer  # noqa: E402
from training import tiny  # noqa: E402

POEMS = [text for _, text in REGULATED.values()]


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    return tiny.build(tmp_path_factory.mktemp("lm") / "tiny", vocab_size=600, texts=POEMS * 2 + VERNACULAR)


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("POETBENCH_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_scores_are_bits_per_character_batched_and_in_the_signature(model_dir, cache):
    scorer = Scorer(lm=f"hf:{model_dir}")
    records = scorer.score_many(POEMS + ["好的，请告诉我主题。"])
    values = [r["lm_bpc"] for r in records[:-1]]
    assert all(v is not None and 0 < v < 30 and math.isfinite(v) for v in values)
    assert records[-1]["lm_bpc"] is None  # no verse, nothing to score
    assert f"lm=v1+hf:{model_dir.name}@" in scorer.signature
    one_by_one = [Scorer(lm=f"hf:{model_dir}").score(p)["lm_bpc"] for p in POEMS[:3]]
    assert one_by_one == pytest.approx(values[:3], abs=1e-3)  # padding in a batch changes nothing
    assert Scorer().score(POEMS[0])["lm_bpc"] is None and "hf:" not in Scorer().signature


def test_a_second_run_reads_the_cache(model_dir, cache, monkeypatch):
    first = Scorer(lm=f"hf:{model_dir}").score_many(POEMS[:4])
    assert list((cache / "lm").glob("*.jsonl"))
    monkeypatch.setattr(neural.NeuralLM, "_score", lambda self, texts: pytest.fail("the model ran again"))
    again = Scorer(lm=f"hf:{model_dir}").score_many(POEMS[:4])
    assert [r["lm_bpc"] for r in again] == [r["lm_bpc"] for r in first]


def test_pickled_weights_are_refused_unless_allowed(model_dir, tmp_path, cache):
    import shutil

    import torch
    from safetensors.torch import load_file

    pickled = tmp_path / "pickled"
    shutil.copytree(model_dir, pickled)
    for weights in pickled.glob("*.safetensors"):  # the same weights, as a pickle
        torch.save(load_file(weights), pickled / "pytorch_model.bin")
        weights.unlink()
    with pytest.raises(InputError, match="only pickled weights"):
        Scorer(lm=f"hf:{pickled}")
    assert Scorer(lm=f"hf:{pickled}", allow_pickle=True).score(POEMS[0])["lm_bpc"] is not None


def test_cli_errors_are_one_clear_line(tmp_path, capsys, cache):
    assert main(["score", "-", "--lm", "gpt2"]) == 2
    assert "write hf:PATH_OR_ID" in capsys.readouterr().err
    assert main(["score", "-", "--lm", f"hf:{tmp_path}"]) == 2
    assert "no config.json here" in capsys.readouterr().err
    (tmp_path / "config.json").write_text("{}", encoding="utf-8")
    assert main(["score", "-", "--lm", f"hf:{tmp_path}"]) == 2
    assert "no model weights here" in capsys.readouterr().err


def test_cli_scores_with_the_model(model_dir, tmp_path, cache, capsys):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": POEMS[0]}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["score", str(source), "-o", str(tmp_path / "out.jsonl"), "--lm", f"hf:{model_dir}", "--jobs", "1"]) == 0
    row = json.loads((tmp_path / "out.jsonl").read_text(encoding="utf-8"))
    assert row["scores"]["lm_bpc"] > 0 and "+hf:" in row["signature"]
