"""The commands that check the benchmark itself: `audit` (every metric on real held-out poems against
controls, or a run's labels against real poems) and `calibrate` (the metrics against human ratings)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from poetbench.cli.common import book_options, lm_options, scorer_from
from poetbench.jsonl import InputError


def register(commands) -> None:
    """Add `audit` and `calibrate` to the top-level subparsers."""
    audit = commands.add_parser(
        "audit", help="the benchmark checks itself: every metric on real held-out poems against controls (AUC)",
        description="Build controls from N real held-out poems (character shuffle, tone-matched salad, line shuffles "
                    "with and without the rhyme kept, vernacular prose in the poem's shape, cento, repetition loops, "
                    "chat-wrapped poems), score them all, and print every metric's mean on the real poems and on "
                    "each control with the AUC (the chance that a real poem scores better). Exit 1 when PoetScore "
                    "misses a target of the README's audit table.")
    audit.add_argument("--corpus", help="a `data prepare` directory or a chinese-poetry directory (default: corpus "
                                        "discovery, split as `data prepare` does by default)")
    audit.add_argument("--n", type=int, default=500, help="real held-out poems to sample (default 500)")
    audit.add_argument("--seed", type=int, default=0, help="sampling and control seed (default 0)")
    audit.add_argument("--no-reference", action="store_true",
                       help="skip the copy metrics (by default the train split is the copy reference)")
    audit.add_argument("-o", "--output", metavar="FILE", help="also write the result as JSON")
    audit.add_argument("--run", metavar="RUN_DIR",
                       help="audit a model instead: each label's fluency and coherence against the real held-out poems "
                            "(a GRPO checkpoint that games a meter reward shows here)")
    audit.set_defaults(func=run_audit)
    calibrate = commands.add_parser(
        "calibrate", help="correlate every metric and PoetScore with human ratings (Spearman, Kendall, bootstrap CIs)",
        description="Score the poems of a JSONL file of human ratings and print, for every metric and for PoetScore "
                    "against each --field, Spearman's rho and Kendall's tau-b with 95%% bootstrap CIs.")
    calibrate.add_argument("--human", required=True, metavar="FILE.jsonl",
                           help="one poem per row: its text and a numeric rating per --field")
    calibrate.add_argument("--field", action="append", required=True, metavar="NAME",
                           help="a rating field (repeat for several, e.g. --field fluency --field overall)")
    calibrate.add_argument("--text-field", default="text", help="the field holding the poem (default text)")
    book_options(calibrate, strict=True)
    calibrate.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics, as for `score`")
    lm_options(calibrate)
    calibrate.add_argument("-o", "--output", metavar="FILE", help="also write the result as JSON")
    calibrate.set_defaults(func=run_calibrate)


def run_audit(args) -> int:
    from poetbench import audit

    if args.n < 20:
        raise InputError(f"--n {args.n}: give at least 20 poems, or the AUCs mean little")
    if args.run:
        if not (Path(args.run) / "run.json").is_file():
            raise InputError(f"{args.run}: no run.json here; give a run directory scored by `poetbench run`")
        result = audit.against_real(args.run, args.corpus, n=args.n, seed=args.seed)
        print(f"fluency and coherence of each label against {result['n_real']} real held-out poems "
              "(mean, AUC: the chance a real poem scores better; 0.5 = indistinguishable)\n")
        print(audit.format_against_real(result))
        if args.output:
            audit.write(result, args.output)
            print(f"-> {args.output}")
        return 0
    result = audit.run(args.corpus, n=args.n, seed=args.seed, reference=not args.no_reference,
                       progress=sys.stderr.isatty())
    print(f"{result['signature']}  n={result['n']} seed={result['seed']}\n")
    print(audit.format_table(result))
    print(f"\nchat_wrapped: {result['chat_wrapped_identical']:.1%} of records identical to the bare poem's")
    if args.output:
        audit.write(result, args.output)
        print(f"-> {args.output}")
    for miss in result["misses"]:
        print(f"target missed: {miss}")
    return 1 if result["misses"] else 0


def run_calibrate(args) -> int:
    from poetbench import calibrate
    from poetbench.jsonl import atomic_writer

    result = calibrate.calibrate(args.human, args.field, scorer_from(args), text_field=args.text_field)
    print(calibrate.format_table(result))
    if args.output:
        with atomic_writer(args.output) as out:
            out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(f"-> {args.output}")
    return 0
