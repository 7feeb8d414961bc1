"""Diversity across a label's poems: distinct-n, shared first lines, mode collapse, and the gate."""

from __future__ import annotations

from poetbench.diversity import COLLAPSE, RUN_METRICS, diversity
from poetbench.gate import _diversity_checks
from poetbench.metrics.registry import tolerances

TOLERANCES = tolerances()


def test_distinct_poems_are_diverse_and_a_collapsed_model_is_flagged():
    varied = [["白日依山尽", "黄河入海流"], ["空山新雨后", "天气晚来秋"], ["红豆生南国", "春来发几枝"]]
    d = diversity(varied)
    assert d["distinct_2"] == 1.0 and d["distinct_1"] > 0.9 and d["shared_first_line"] == 0.0
    assert d["top_lines"] == [] and not d["mode_collapse"]
    collapsed = [["天上下之人", line] for line in ("黄河入海流", "天气晚来秋", "春来发几枝")] + varied
    before = d["distinct_1"]
    d = diversity(collapsed + [[]])  # a reply with no verse does not count
    assert d["poems"] == 6 and d["shared_first_line"] == 0.5 >= COLLAPSE and d["mode_collapse"]
    assert d["top_lines"][0] == {"line": "天上下之人", "poems": 3}
    assert d["distinct_1"] < before


def test_the_gate_compares_diversity_with_a_tolerance():
    base = diversity([["白日依山尽", "黄河入海流"], ["空山新雨后", "天气晚来秋"], ["红豆生南国", "春来发几枝"]])
    worse = diversity([["白日依山尽", "黄河入海流"], ["白日依山尽", "天气晚来秋"], ["白日依山尽", "春来发几枝"]])
    checks = {c["metric"]: c for c in _diversity_checks(worse, base, TOLERANCES, "ci")[0]}
    assert checks["shared_first_line"]["regressed"] and checks["shared_first_line"]["mode_collapse"]
    assert not any(c["regressed"] for c in _diversity_checks(base, base, TOLERANCES, "ci")[0])
    checks, skipped = _diversity_checks(base, None, TOLERANCES, "ci")  # a baseline from before diversity
    assert checks == [] and [s["metric"] for s in skipped] == list(RUN_METRICS)  # each named as skipped
    assert all("the baseline has no diversity" in s["reason"] for s in skipped)
