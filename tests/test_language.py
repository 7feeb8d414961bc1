"""The language model behind fluency and coherence: a real distribution, no memorised lines,
shipped with the package, and able to tell poems from controls (README, "Fluency and coherence")."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import numpy as np
import pytest

from poetbench.audit.controls import shuffle_characters
from poetbench.audit.poems import REGULATED, VERNACULAR
from poetbench.language import model as language
from poetbench.language import ngram
from poetbench.text.lines import split_lines
from poetbench.metrics.fluency import poem_bits
from poetbench.text.batch import TextBatch

LINES = ["白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼", "白日放歌须纵酒", "青春作伴好还乡",
         "白云依旧在", "黄河远上白云间", "千里江陵一日还", "白日依山远"]


def _total(model: ngram.NgramModel, history: list[int]) -> float:
    vocabulary = np.arange(len(model.chars) + 2, dtype=np.uint64)
    ids = np.array([ngram.BOUNDARY] + history, dtype=np.uint64)
    return sum(2 ** model.log2probs(np.append(ids, w))[-1] for w in vocabulary)


@pytest.mark.parametrize("history", [[], ["白"], ["白", "日"], ["白", "日", "依"], ["黄", "河", "入"], ["千", "里", "江"]])
def test_every_distribution_sums_to_one(history):
    model = ngram.build(LINES, min_lines=1, min_char_count=1)
    assert _total(model, [model.chars[c] for c in history]) == pytest.approx(1.0, abs=1e-9)


def test_the_shipped_model_sums_to_one_after_pruning():
    model = language.load().ngram
    for history in ("明月", "春风不", "孤舟"):
        assert _total(model, [model.chars[c] for c in history]) == pytest.approx(1.0, abs=1e-6)


def test_an_ngram_of_a_single_line_is_pruned_and_repeats_are_kept():
    model = ngram.build(LINES, min_char_count=1)  # MIN_LINES = 2
    key = lambda s: np.uint64(sum(model.chars[c] << (ngram.BITS * (len(s) - 1 - i)) for i, c in enumerate(s)))
    assert key("白日") in set(model.keys[1])  # in 白日依山尽, 白日放歌须纵酒, 白日依山远
    assert key("白日依") in set(model.keys[2])
    assert key("江陵") not in set(model.keys[1])  # one line only
    assert key("千里江陵") not in set(model.keys[3])
    # a line repeated in many poems counts once: still pruned
    assert key("千里江陵") not in set(ngram.build(LINES + ["千里江陵一日还"] * 5, min_char_count=1).keys[3])


def test_seen_lines_score_as_well_as_before_not_better_than_a_good_line():
    model = ngram.build(LINES, min_char_count=1)
    seen, _, _ = model.line_bits(["千里江陵一日还"])
    full = ngram.build(LINES, min_lines=1, min_char_count=1)
    memorised, _, _ = full.line_bits(["千里江陵一日还"])
    assert memorised[0] < seen[0]  # without pruning the line is remembered


def test_memorised_training_poems_gain_little(prepared_split):
    """Training poems against held-out ones: the bits they gain from being seen stay under one
    bit per character (3.2 without pruning, measured when the model was built)."""
    model = language.load()
    rows = {name: [json.loads(line) for line in (prepared_split / f"{name}.jsonl").open(encoding="utf-8")]
            for name in ("train", "heldout")}
    poems = {name: TextBatch([r["lines"] for r in rows[name][::7][:300]], simplify=True).poems for name in rows}

    seen = np.nanmean(poem_bits(model.ngram, poems["train"])[0])
    unseen = np.nanmean(poem_bits(model.ngram, poems["heldout"])[0])
    assert 0 <= unseen - seen < 1.0


def test_the_resource_is_small_and_scoring_needs_no_corpus(tmp_path):
    assert language.RESOURCE.stat().st_size <= 20e6
    env = {**os.environ, "POETBENCH_CORPUS": str(tmp_path / "none"), "POETBENCH_CACHE": str(tmp_path / "cache"),
           "HOME": str(tmp_path)}
    code = "from poetbench import Scorer; r = Scorer().score('白日依山尽，黄河入海流。欲穷千里目，更上一层楼。'); print(r['fluency'], r['coherence'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout.split()
    assert float(out[0]) > 0.9 and float(out[1]) > 0.9


def test_fluency_tells_poems_from_shuffles_and_prose(scorer):
    rng = random.Random(0)
    poems = [text for _, text in REGULATED.values()]
    real = [r["fluency"] for r in scorer.score_many(poems)]
    shuffled = [r["fluency"] for r in scorer.score_many([shuffle_characters(p, rng) for p in poems])]
    prose = [r["fluency"] for r in scorer.score_many(VERNACULAR)]
    assert min(real) >= 0.9
    assert max(shuffled) < min(real) and np.mean(shuffled) < 0.6
    assert np.mean(prose) < 0.5


def test_coherence_tells_poems_from_lines_of_different_poems(scorer):
    by_form: dict[str, list[list[str]]] = {}
    for form, text in REGULATED.values():
        by_form.setdefault(form, []).append(split_lines(text))
    real, mixed = [], []
    for poems in by_form.values():
        for k, lines in enumerate(poems):
            real.append("，".join(lines) + "。")
            if len(poems) > 1:  # line i from poem k + i: every line from another poem
                mixed.append("，".join(poems[(k + i) % len(poems)][i] for i in range(len(lines))) + "。")
    real_scores = np.array([r["coherence"] for r in scorer.score_many(real)])
    mixed_scores = np.array([r["coherence"] for r in scorer.score_many(mixed)])
    assert real_scores.mean() > 0.85
    assert real_scores.mean() - mixed_scores.mean() > 0.2


def test_no_verse_and_single_lines_have_no_coherence(scorer):
    assert scorer.score("好的，请告诉我您想要的主题。")["fluency"] is None
    one = scorer.score("白日依山尽")
    assert one["coherence"] is None and one["fluency"] is not None
