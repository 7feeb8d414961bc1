"""The `demo` command: the whole experiment offline (tiny base, LoRA checkpoints, runs, A/B
statistics, report, gate), with an optional GRPO stage."""

from __future__ import annotations

from pathlib import Path

from poetbench.cli.common import whole
from poetbench.jsonl import InputError


def register(commands) -> None:
    """Add `demo` to the top-level subparsers."""
    demo = commands.add_parser(
        "demo", help="the whole experiment offline: tiny base, LoRA checkpoints, runs, A/B statistics, report, gate",
        description="Prepare the corpus, build the tiny base, train LoRA with checkpoints at --steps, run core-v1 (200 "
                    "prompts) over the base and every checkpoint, and write the comparison, the HTML report and the gate "
                    "verdict of the last checkpoint against the base. Offline; about 2 minutes on 2 cores from the shipped "
                    "tiny base (--quick: about 95 s), the same figures on every machine (see --native-numerics).")
    demo.add_argument("--out", default="reports/demo", help="output folder (default reports/demo)")
    demo.add_argument("--steps", default="0,50,100,200", help="checkpoint steps; 0 is the base (default 0,50,100,200)")
    demo.add_argument("--quick", action="store_true", help="a small version for tests: a shorter pre-training, steps 0,25,50 by default, smoke-v1 (12 prompts)")
    demo.add_argument("--corpus", help="chinese-poetry directory (default: corpus discovery)")
    demo.add_argument("--grpo", type=whole, nargs="?", const=60, default=0, metavar="STEPS",
                      help="add a GRPO stage after the last SFT checkpoint, on poetbench's rewards (default 60 steps); "
                           "the report then compares against that SFT checkpoint and flags reward hacking")
    demo.add_argument("--rewards", metavar="NAME=WEIGHT,…",
                      help="the GRPO stage's reward weights instead of training/configs/tiny-grpo.yaml's, e.g. "
                           "tone=1,rhyme=1 for a meter-only reward (see poetbench.rewards); its label names them, "
                           "or what differs from the config's (grpo60-tone_rhyme, grpo60-cfg_tone_ok2)")
    demo.add_argument("--rebuild-base", action="store_true",
                      help="pre-train the tiny base (about 6 minutes) instead of copying the shipped one, "
                           "training/tiny-base, which the same build made (tools/build_demo_base.py)")
    demo.add_argument("--native-numerics", action="store_true",
                      help="train with this CPU's fastest kernels and all its cores instead of the pinned AVX2 kernels "
                           "on 2 threads: faster on a bigger machine, but the figures are this machine's own (see "
                           "poetbench/numerics.py)")
    demo.set_defaults(func=run_demo_command)


def run_demo_command(args) -> int:
    from poetbench import numerics

    try:
        numerics.pin_if_wanted(not args.native_numerics, log=print)  # before torch loads
        import training.train  # noqa: F401  (the recipe, and with it torch, transformers, peft, trl)
        from poetbench.compare import MIN_FALL
        from poetbench.demo import DemoSettings, parse_rewards, parse_steps, run_demo
    except ImportError as exc:  # pragma: no cover - the [train] extra is missing
        raise InputError(f"the demo trains a model: install the training extra (pip install -e '.[train]'): {exc}") from None
    steps = parse_steps("0,25,50" if args.quick and args.steps == "0,50,100,200" else args.steps)
    settings = DemoSettings(out=Path(args.out), steps=steps, quick=args.quick, corpus=args.corpus, grpo=args.grpo,
                            rewards=parse_rewards(args.rewards), rebuild_base=args.rebuild_base)
    result = run_demo(settings, log=lambda line: print(line, flush=True))
    print(f"\n{result['table']}\n\n{result['gate']}")
    if "grpo" in result:
        print(f"\nGRPO against the SFT checkpoint it started from (paired, * p < 0.05 after Holm):\n{result['grpo']['table']}")
        print("\n" + "\n".join(result["grpo"]["flags"] or [("no reward hacking flagged (meter up while fluency or "
                                                                f"coherence down by {MIN_FALL:g} or more, paired CIs clear of 0)")]))
        print(f"\nFluency and coherence against real held-out poems (AUC 0.5 = indistinguishable):\n"
              f"{result['grpo']['audit_table']}")
        print(f"\nEach reward on the training prompts (sampled) and on the eval set (held out; greedy, paired):\n"
              f"{result['grpo']['reward_gap_table']}")
    print(f"\nreport: {result['html']}  ({result['seconds']} s)")
    return 0
