"""The CI regression gate: fail a build when poems got worse, and not when only noise moved.

A baseline (``poetbench baseline save RUN --label L -o FILE``) keeps one label's per-prompt
scores with the metric signature and the eval-set hash. ``poetbench gate RUN --baseline FILE``
pairs the candidate label's prompts with the baseline's and, per metric:

* ``ci`` mode (default): a regression when the paired-bootstrap 95% CI of the difference lies
  entirely beyond the tolerance on the bad side (below ``-tolerance``, or above ``+tolerance``
  for metrics where lower is better) — confidently worse by more than the tolerance;
* ``point`` mode: when the point estimate alone is beyond the tolerance;
* ``exact`` mode: when any score of any prompt differs at all (the project's own CI: a scoring
  change must come with a new signature and a new baseline).

Diversity across the label's poems (``diversity.py``: ``run_distinct_2``, ``shared_first_line``)
is one number per run, not per prompt: it regresses when the candidate's value is worse than
the baseline's by more than its tolerance (``exact``: when it differs at all). Where either side
has no value — a baseline saved before diversity existed (``diversity`` null), a run summary
without it, a label with no verse to measure — the check is skipped, and the verdict says so
(``skipped``: a line per metric in the output, with the reason); a ``diversity`` that is neither
null nor an object with ``distinct_2`` and ``shared_first_line`` is bad input (exit 2).

Missing prompts count against the candidate: a baseline prompt the candidate has no score for
fails every metric (0 where higher is better; for lower-is-better metrics 1, or the worst value
either side scored), and coverage below ``min_coverage`` (default 1.0: every baseline prompt)
is a regression of its own that names how many are missing.

A baseline is checked before use: its keys, and every score a finite number; anything else is
bad input (exit 2) with the prompt and metric named.

Exit codes: 0 no regression, 1 regression, 2 not comparable (signature or eval-set hash differ,
no shared prompt) or bad input.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from poetbench.compare import load, paired
from poetbench.diversity import RUN_METRICS
from poetbench.jsonl import InputError, atomic_writer
from poetbench.metrics import registry
from poetbench.versions import warn_drift

MODES = ("ci", "point", "exact")
OK, REGRESSION, NOT_COMPARABLE = 0, 1, 2
BASELINE_VERSION = 1


class NotComparable(InputError):
    """The run and the baseline cannot be compared (exit code 2)."""


def save_baseline(run_dir: Path, label: str, path: Path) -> dict:
    """Write the per-prompt scores of ``label`` in ``run_dir`` as a baseline file."""
    manifest, summaries, per_prompt = load(run_dir)
    if label not in summaries:
        raise InputError(f"--label {label!r}: not a label of {run_dir} ({', '.join(summaries)})")
    baseline = {"baseline_version": BASELINE_VERSION, "label": label, "signature": summaries[label]["signature"], "eval_set": manifest["eval_set"],
                "checkpoint": summaries[label]["checkpoint"], "per_prompt": per_prompt[label],
                "diversity": summaries[label].get("diversity"), "versions": manifest.get("versions")}
    with atomic_writer(str(path)) as out:
        out.write(json.dumps(baseline, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return baseline


def load_baseline(path: Path) -> dict:
    try:
        baseline = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the baseline ({exc.strerror}); write one with `poetbench baseline save`") from None
    except ValueError as exc:
        raise InputError(f"{path}: not a baseline file (malformed JSON: {exc})") from None
    except RecursionError:
        raise InputError(f"{path}: not a baseline file (JSON nested too deep)") from None
    if not isinstance(baseline, dict) or baseline.get("baseline_version") != BASELINE_VERSION:
        raise InputError(f"{path}: not a poetbench baseline (version {BASELINE_VERSION}); write one with `poetbench baseline save`")
    _check_baseline(baseline, path)
    return baseline


def _check_baseline(baseline: dict, path: Path) -> None:
    """Raise InputError (exit 2) naming what is wrong, unless every key and score is sound."""
    fix = "write it again with `poetbench baseline save`"
    for key, kind in (("signature", str), ("label", str), ("eval_set", dict), ("per_prompt", dict)):
        if not isinstance(baseline.get(key), kind):
            raise InputError(f"{path}: baseline key {key!r} is missing or not a {kind.__name__}; {fix}")
    if not isinstance(baseline["eval_set"].get("sha256"), str) or not isinstance(baseline["eval_set"].get("name"), str):
        raise InputError(f"{path}: baseline eval_set needs a name and a sha256; {fix}")
    if not baseline["per_prompt"]:
        raise InputError(f"{path}: the baseline holds no prompt; {fix}")
    for prompt, scores in baseline["per_prompt"].items():
        if not isinstance(scores, dict):
            raise InputError(f"{path}: prompt {prompt!r}: scores must be an object; {fix}")
        for metric, value in scores.items():
            if not _finite(value):
                raise InputError(f"{path}: prompt {prompt!r}, {metric}: {value!r} is not a finite number "
                                 f"(below 1e12); {fix}")
    diversity = baseline.get("diversity")
    keys = tuple(RUN_METRICS.values())
    if diversity is not None and (not isinstance(diversity, dict) or not all(key in diversity for key in keys)):
        raise InputError(f"{path}: baseline diversity is {json.dumps(diversity, ensure_ascii=False)[:80]}, not null or an "
                         f"object with {' and '.join(keys)}; {fix}")
    if diversity is not None and not all(_finite(diversity[key]) for key in keys if diversity[key] is not None):
        raise InputError(f"{path}: baseline diversity must hold finite numbers; {fix}")


def _finite(value) -> bool:
    """A number a score can be: finite, and small enough that sums of them stay finite."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and abs(value) < 1e12


def parse_rules(rules: list[str]) -> dict[str, float]:
    tolerances = registry.tolerances()  # the defaults: the smallest change worth failing a build for
    for rule in rules:
        metric, sep, value = rule.partition(":")
        try:
            tolerance = float(value)
        except ValueError:
            tolerance = None
        known = registry.shown_in("compare") + registry.run_metrics()
        if not sep or tolerance is None or (metric not in known and metric != "*"):
            raise InputError(f"--rule {rule!r}: write metric:tolerance, e.g. poetscore:2 (metrics: {', '.join(known)}, or *)")
        for name in (known if metric == "*" else (metric,)):
            tolerances[name] = tolerance
    return tolerances


def gate(run_dir: Path, baseline_path: Path, label: str | None = None, rules: list[str] | None = None,
         mode: str = "ci", min_coverage: float = 1.0) -> dict:
    """The verdict: ``{status, exit_code, checks: [...]}``; raises NotComparable for exit code 2."""
    if mode not in MODES:
        raise InputError(f"--mode {mode!r}: use one of {', '.join(MODES)}")
    if not 0 <= min_coverage <= 1:
        raise InputError(f"--min-coverage {min_coverage}: give a share between 0 and 1 (1: every baseline prompt)")
    tolerances = parse_rules(rules or [])
    baseline = load_baseline(baseline_path)
    manifest, summaries, per_prompt = load(run_dir)
    label = label or (list(summaries)[-1])
    if label not in summaries:
        raise InputError(f"--label {label!r}: not a label of {run_dir} ({', '.join(summaries)})")
    if summaries[label]["signature"] != baseline["signature"]:
        raise NotComparable(f"signatures differ: run {summaries[label]['signature']} vs baseline {baseline['signature']}; "
                            "score both the same way (or save a new baseline on purpose)")
    if manifest["eval_set"]["sha256"] != baseline["eval_set"]["sha256"]:
        raise NotComparable(f"eval sets differ: run {manifest['eval_set']['name']} {manifest['eval_set']['sha256'][:12]} "
                            f"vs baseline {baseline['eval_set']['name']} {baseline['eval_set']['sha256'][:12]}")
    warn_drift(f"the baseline {baseline_path}", baseline.get("versions"), manifest.get("versions"),
               against=f"the run {run_dir}", fix="; save the baseline again from a run scored with these versions")
    candidate, reference = per_prompt[label], baseline["per_prompt"]
    shared = sorted(set(candidate) & set(reference))
    if not shared:
        raise NotComparable("the run and the baseline share no prompt")
    missing = sorted(set(reference) - set(candidate))
    checks = []
    for metric in registry.shown_in("compare"):
        prompts = [p for p in sorted(reference) if metric in reference[p] and (p in missing or metric in candidate[p])]
        if not prompts:
            continue
        worst = _worst(metric, [candidate[p][metric] for p in shared if metric in candidate[p]]
                       + [reference[p][metric] for p in prompts])
        a = [worst if p in missing else candidate[p][metric] for p in prompts]
        b = [reference[p][metric] for p in prompts]
        stats = paired(a, b)
        tolerance = tolerances[metric]
        worse = -1.0 if registry.lower_is_better(metric) else 1.0  # sign that makes "bad" negative
        if mode == "exact":
            changed = [p for p, x, y in zip(prompts, a, b) if not np.isclose(x, y, rtol=0, atol=1e-9)]
            regressed = bool(changed)
        elif mode == "point":
            regressed = worse * stats["delta"] < -tolerance
        else:
            bound = stats["high"] if worse > 0 else -stats["low"]  # the CI's best case, on the "better" scale
            regressed = bound < -tolerance
        if not all(map(math.isfinite, (stats["delta"], stats["low"], stats["high"]))):
            regressed = True  # figures that are not numbers never let a build through
        checks.append({"metric": metric, "delta": stats["delta"], "low": stats["low"], "high": stats["high"],
                       "n": stats["n"], "tolerance": tolerance, "lower_is_better": registry.lower_is_better(metric),
                       "regressed": regressed, **({"changed_prompts": changed[:10]} if mode == "exact" else {})})
    diversity, skipped = _diversity_checks(summaries[label].get("diversity"), baseline.get("diversity"), tolerances, mode)
    checks.extend(diversity)
    coverage = len(shared) / len(reference)
    if missing:  # full coverage is the usual case and takes no line of its own
        checks.append({"metric": "coverage", "delta": coverage - 1.0, "low": coverage - 1.0, "high": coverage - 1.0,
                       "n": len(reference), "tolerance": 1.0 - min_coverage, "lower_is_better": False,
                       "regressed": coverage < min_coverage, "run_level": True, "missing_prompts": missing[:10],
                       "missing": len(missing)})
    failed = [c for c in checks if c["regressed"]]
    return {"status": "regression" if failed else "ok", "exit_code": REGRESSION if failed else OK, "mode": mode,
            "label": label, "baseline": str(baseline_path), "signature": baseline["signature"],
            "shared_prompts": len(shared), "missing_prompts": len(missing), "checks": checks, "skipped": skipped}


def _worst(metric: str, seen: list[float]) -> float:
    """The score a missing prompt gets: the worst a metric can be, or the worst either side scored."""
    worst = registry.get(metric).worst
    return max([worst, *seen]) if registry.lower_is_better(metric) else min([worst, *seen])


def _diversity_checks(candidate: dict | None, reference: dict | None, tolerances: dict,
                      mode: str) -> tuple[list[dict], list[dict]]:
    """(checks, skipped): one check per run-level diversity metric, the candidate's value against
    the baseline's, or a ``{metric, reason}`` when either side has no value."""
    checks, skipped = [], []
    for metric, key in RUN_METRICS.items():
        if not reference:
            reason = "the baseline has no diversity (saved before poetbench measured it); save it again to check this"
        elif not candidate:
            reason = "the run's summary has no diversity; score the run again (poetbench score-run) to check this"
        elif reference.get(key) is None or candidate.get(key) is None:
            side = "the baseline's" if reference.get(key) is None else "the run's"
            reason = f"{side} {key} is null (no verse to measure)"
        else:
            reason = None
        if reason:
            skipped.append({"metric": metric, "reason": reason})
            continue
        a, b = candidate[key], reference[key]
        delta = a - b
        worse = -1.0 if registry.lower_is_better(metric) else 1.0
        regressed = abs(delta) > 1e-9 if mode == "exact" else worse * delta < -tolerances[metric]
        checks.append({"metric": metric, "delta": delta, "low": delta, "high": delta, "n": candidate["poems"],
                       "tolerance": tolerances[metric], "lower_is_better": registry.lower_is_better(metric),
                       "regressed": regressed, "run_level": True,
                       "mode_collapse": metric == "shared_first_line" and bool(candidate.get("mode_collapse"))})
    return checks, skipped


def render(verdict: dict, fmt: str = "text") -> str:
    if fmt == "json":
        return json.dumps(verdict, ensure_ascii=False, indent=2)
    failed = [c for c in verdict["checks"] if c["regressed"]]
    missing = verdict.get("missing_prompts", 0)
    head = (f"poetbench gate: {'REGRESSION' if failed else 'ok'} — {verdict['label']} against {verdict['baseline']} "
            f"({verdict['shared_prompts']} shared prompts{f', {missing} of the baseline missing' if missing else ''}, "
            f"mode {verdict['mode']})")
    rows = [(c["metric"] + (" (lower is better)" if c["lower_is_better"] else ""), f"{c['delta']:+.4f}",
             "one value per run" if c.get("run_level") else f"[{c['low']:+.4f}, {c['high']:+.4f}]", f"{c['tolerance']:g}",
             ("REGRESSED" if c["regressed"] else "ok") + (" (mode collapse)" if c.get("mode_collapse") else "")
             + (f" ({c['missing']} prompts missing)" if c.get("missing") else ""))
            for c in verdict["checks"]]
    skipped = verdict.get("skipped", [])
    if fmt == "markdown":
        lines = [f"### {head}", "", "| metric | Δ | 95% CI | tolerance | |", "|---|---|---|---|---|"]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        lines += [f"| {s['metric']} | — | — | — | skipped: {s['reason']} |" for s in skipped]
        return "\n".join(lines)
    width = max(len(r[0]) for r in rows + [(s["metric"],) for s in skipped]) if rows or skipped else 10
    return "\n".join([head] + [f"  {r[0]:<{width}}  {r[1]:>9}  {r[2]:>22}  tol {r[3]:<5} {r[4]}" for r in rows]
                     + [f"  {s['metric']:<{width}}  skipped: {s['reason']}" for s in skipped])
