"""``poetbench demo``: the seed project's whole experiment, offline, on the tiny model.

Prepare the corpus (discovery: ``$POETBENCH_CORPUS``, ``../shared/data``, the ``data fetch``
cache), build the tiny base (a chat model pre-trained on classical prose: "classical, not yet a
poet"; the shipped one, ``training/tiny-base``, when this demo's settings are the ones it was built
with: the pinned numerics give the same bits on every machine), train LoRA with checkpoints at the given steps, run core-v1 (smoke-v1 with ``--quick``)
over the base and every checkpoint, then write the comparison, the HTML report and the gate verdict of the last checkpoint against
the base. Every stage reuses what is already on disk, so an interrupted demo picks up where it
stopped.
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from poetbench.jsonl import InputError
from training import CONFIGS

SHIPPED_BASE = CONFIGS.parent / "tiny-base"  # the demo's base, built by tools/build_demo_base.py

GEN_KWARGS = "max_new_tokens=96,repetition_penalty=1.3"  # greedy; room for a 七律 (68 tokens); the tiny model loops without the penalty


@dataclass
class DemoSettings:
    out: Path = Path("reports/demo")
    steps: tuple[int, ...] = (0, 50, 100, 200)
    quick: bool = False
    corpus: str | None = None
    grpo: int = 0  # GRPO steps after the last SFT checkpoint; 0: no GRPO stage
    rewards: dict | None = None  # the GRPO stage's reward weights (default: training/configs/tiny-grpo.yaml's)
    rebuild_base: bool = False  # build the tiny base even where the shipped one (SHIPPED_BASE) would do

    @property
    def pretrain_steps(self) -> int:
        return 80 if self.quick else 600


def parse_steps(text: str) -> tuple[int, ...]:
    try:
        steps = tuple(sorted({int(s) for s in text.split(",") if s.strip()}))
    except ValueError:
        raise InputError(f"--steps {text!r}: give step numbers like 0,50,100,200") from None
    if not steps or steps[-1] <= 0 or steps[0] < 0:
        raise InputError(f"--steps {text!r}: give at least one step above 0 (0 is the base)")
    return steps


def base_settings(settings: DemoSettings) -> dict:
    """The tiny base's ``build_tiny`` settings for this demo (tiny-cpu.yaml's, with the demo's
    pre-training steps)."""
    from training.train import read_config

    return {**read_config(str(CONFIGS / "tiny-cpu.yaml"), [])["build_tiny"], "pretrain_steps": settings.pretrain_steps}


def weights_sha256(base: Path) -> str:
    return hashlib.sha256((base / "model.safetensors").read_bytes()).hexdigest()


def write_base_record(base: Path, build_tiny: dict) -> None:
    """``demo_base.json``: the settings a shipped base was built with and its weights' sha256."""
    (base / "demo_base.json").write_text(json.dumps({"build_tiny": build_tiny, "model_sha256": weights_sha256(base)},
                                                    indent=2) + "\n", encoding="utf-8")


def copy_shipped_base(settings: DemoSettings, rebuild: bool = False) -> bool:
    """Copy the shipped base (``SHIPPED_BASE``, built by tools/build_demo_base.py) to the demo's
    ``base`` when it was built with this demo's settings and its weights are intact; False when
    the demo must build it (``--rebuild-base``, ``--quick``, other settings, a base already there)."""
    target = settings.out / "base"
    record = SHIPPED_BASE / "demo_base.json"
    if rebuild or (target / "config.json").exists() or not record.is_file():
        return False
    shipped = json.loads(record.read_text(encoding="utf-8"))
    if shipped["build_tiny"] != base_settings(settings) or shipped["model_sha256"] != weights_sha256(SHIPPED_BASE):
        return False
    shutil.copytree(SHIPPED_BASE, target, dirs_exist_ok=True)
    return True


def training_config(settings: DemoSettings, corpus: Path, prepared: Path) -> dict:
    """training/configs/tiny-cpu.yaml on the demo's folders; the base, when it is built, reads
    the corpus the demo found (an installed package has no ``../shared`` beside it)."""
    from training.train import load_config

    trained = [s for s in settings.steps if s > 0]
    config = load_config(str(CONFIGS / "tiny-cpu.yaml"), [])
    config.update({
        "model_name_or_path": str(settings.out / "base"),
        "output_dir": str(settings.out / "train"),
        "max_steps": trained[-1],
        "save_steps": math.gcd(*trained),
        "report_to": [],
        "poetbench_callback": None,
    })
    config["build_tiny"] = {**base_settings(settings), "corpus": str(corpus)}
    config["data"] = {"prepared": str(prepared), "max_examples": 1500 if settings.quick else 4000}
    return config


def grpo_config(settings: DemoSettings, prepared: Path, sft_checkpoint: str) -> dict:
    """training/configs/tiny-grpo.yaml on the demo's base and last SFT checkpoint."""
    from training.train import load_config

    config = load_config(str(CONFIGS / "tiny-grpo.yaml"), [], stage="grpo")
    config.update({"model_name_or_path": str(settings.out / "base"), "sft_adapter": sft_checkpoint,
                   "output_dir": str(settings.out / grpo_name(settings, "grpo")), "max_steps": settings.grpo,
                   "save_steps": settings.grpo,
                   "report_to": [], "poetbench_callback": None})
    config["data"] = {"prepared": str(prepared), "max_examples": 4000}
    if settings.rewards:
        config["rewards"] = settings.rewards
    return config


def grpo_name(settings: DemoSettings, stem: str) -> str:
    """``stem``; for rewards other than the config's, ``stem-`` and the shorter of two spellings:
    the rewards (``tone_rhyme2``: names, with their weights where not 1), or ``cfg_`` and what
    differs from the config's (``cfg_tone_ok2``; ``cfg_no_repetition0`` for one left out). Each
    reward setting trains into a folder of its own and shows under a label of its own."""
    if not settings.rewards:
        return stem
    from poetbench.rewards import load_weights

    default = load_weights(CONFIGS / "tiny-grpo.yaml")
    changed = {name: settings.rewards.get(name, 0.0) for name in {**default, **settings.rewards}
               if settings.rewards.get(name, 0.0) != default.get(name, 0.0)}
    if not changed:
        return stem
    def spell(weights: dict) -> str:
        return "_".join(name + ("" if weight == 1 else f"{weight:g}") for name, weight in weights.items())

    return stem + "-" + min(spell(settings.rewards), "cfg_" + spell(changed), key=len)


def paired_table(comparison: dict, label: str) -> str:
    """``label`` against the comparison's reference on the key metrics: both means and the
    paired delta [95% CI], * where p < 0.05 after Holm."""
    from poetbench.compare import fmt
    from poetbench.metrics import registry
    from poetbench.runner import aligned

    reference = comparison["reference"]
    rows = [["metric", reference, label, "Δ [95% CI]"]]
    for metric in registry.shown_in("key"):
        a, b = comparison["means"][reference].get(metric) or {}, comparison["means"][label].get(metric) or {}
        d = comparison["paired"][label].get(metric) or {}
        delta = "—" if d.get("delta") is None else \
            f"{d['delta']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]{'*' if d.get('p_holm', 1) < 0.05 else ''}"
        rows.append([metric, "—" if a.get("mean") is None else fmt(a["mean"], metric),
                     "—" if b.get("mean") is None else fmt(b["mean"], metric), delta])
    return aligned(rows)


def parse_rewards(text: str | None) -> dict | None:
    """``tone=1,rhyme=1`` -> reward weights (checked by ``poetbench.rewards.parse_weights``)."""
    if not text:
        return None
    from poetbench.rewards import parse_weights

    weights = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        name, sep, value = item.partition("=")
        try:
            weights[name.strip()] = float(value) if sep else 1.0
        except ValueError:
            raise InputError(f"--rewards {item!r}: write name=weight, e.g. tone=1,rhyme=1") from None
    return parse_weights(weights, "--rewards")


def demo_eval_set(settings: DemoSettings, prepared: Path, log=print) -> str:
    """core-v1 (200 prompts, enough for tight CIs), or smoke-v1 (12) with ``--quick`` or when this
    corpus cannot rebuild core-v1 to its registered hash."""
    from poetbench import evalsets

    if settings.quick:
        return "smoke-v1"
    try:
        evalsets.load("core-v1", prepared)
    except InputError as exc:
        log(f"      core-v1 cannot be built from this corpus ({exc}); using smoke-v1")
        return "smoke-v1"
    return "core-v1"


def run_demo(settings: DemoSettings, log=print) -> dict:
    from poetbench.data.discovery import find_corpus
    from poetbench.data.prepare import prepare_cached
    from poetbench.gate import gate, render, save_baseline
    from poetbench.report import build
    from poetbench.runner import Run, RunSettings, parse_gen_kwargs, table
    from poetbench.checkpoints import step_of
    from training.train import last_checkpoint, train

    started = time.perf_counter()
    out = settings.out
    corpus = find_corpus(settings.corpus)
    log(f"[1/5] corpus {corpus}")
    prepared = prepare_cached(corpus)
    config = training_config(settings, corpus, prepared)
    trained = [s for s in settings.steps if s > 0]
    last = last_checkpoint(Path(config["output_dir"]))
    if last is None or step_of(Path(last)) < trained[-1]:
        shipped = copy_shipped_base(settings, settings.rebuild_base)
        log(f"[2/5] tiny base ({'the shipped one, ' if shipped else ''}pre-trained {settings.pretrain_steps} steps on "
            f"classical prose as chat turns) and LoRA to step {trained[-1]}")
        train(config, resume=last is not None)
    else:
        log("[2/5] training already done")
    labels = ["base"] * (0 in settings.steps) + [f"step{s}" for s in trained]
    paths = [out / "base"] * (0 in settings.steps) + [out / "train" / f"checkpoint-{s}" for s in trained]
    if settings.grpo:
        from training.grpo import train as train_grpo

        grpo = grpo_config(settings, prepared, str(paths[-1]))
        if (Path(grpo["output_dir"]) / f"checkpoint-{settings.grpo}").is_dir():
            log("[2/5] GRPO already done")
        else:
            log(f"[2/5] GRPO from step{trained[-1]}: {settings.grpo} steps on the rewards "
                + ", ".join(f"{name} {weight:g}" for name, weight in grpo["rewards"].items()))
            train_grpo(grpo, resume=last_checkpoint(Path(grpo["output_dir"])) is not None, log=lambda line: log("      " + line))
        labels.append(grpo_name(settings, f"grpo{settings.grpo}"))
        paths.append(Path(grpo["output_dir"]) / f"checkpoint-{settings.grpo}")
    eval_set = demo_eval_set(settings, prepared, log)
    spec = ",".join(f"{label}={path}" for label, path in zip(labels, paths))
    log(f"[3/5] generating and scoring {eval_set} on " + ", ".join(labels))
    run = Run(RunSettings(checkpoints=spec, eval_set=eval_set, output=str(out / "run"), batch_size=200, corpus=str(prepared),
                          gen_kwargs=parse_gen_kwargs(GEN_KWARGS)), ["poetbench", "demo"])
    run.generate(progress=None)  # a bar per label on a terminal
    summaries = run.score()
    log("[4/5] comparison and report" + (f" (against step{trained[-1]}, the SFT checkpoint GRPO started from)"
                                         if settings.grpo else ""))
    html = build(out / "run", reference=f"step{trained[-1]}" if settings.grpo else None)  # writes comparison.json too
    log("[5/5] gate: last checkpoint against the base")
    labels = list(summaries)
    save_baseline(out / "run", labels[0], out / "baseline.json")
    verdict = gate(out / "run", out / "baseline.json", labels[-1])
    (out / "gate.txt").write_text(render(verdict) + "\n", encoding="utf-8")
    result = {"html": str(html), "table": table(summaries), "gate": render(verdict), "gate_exit": verdict["exit_code"],
              "seconds": round(time.perf_counter() - started, 1)}
    if settings.grpo:
        from poetbench.audit import against_real, format_against_real
        from poetbench.compare import hacking_sentences, read_comparison
        from poetbench.reward_gap import format_table, reward_gap

        comparison = read_comparison(out / "run")
        audit = against_real(out / "run", str(prepared), n=200)
        gap = reward_gap(Path(grpo["output_dir"]), out / "run", f"step{trained[-1]}", labels[-1])
        result["grpo"] = {"table": paired_table(comparison, labels[-1]), "reward_hacking": comparison["reward_hacking"],
                          "flags": hacking_sentences(comparison, labels[-1:]),  # GRPO's, not the SFT steps'
                          "audit": audit, "audit_table": format_against_real(audit),
                          "reward_gap": gap,
                          "reward_gap_table": format_table(gap, f"step{trained[-1]}", f"grpo{settings.grpo}")}
    (out / "demo.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result
