"""The commands that read a scored run: `compare` (paired A/B statistics), `report` (HTML, summary.md,
model card), `gate` (regression against a baseline) and `baseline save` (the baseline it reads)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from poetbench.cli.common import help_when_bare


def register(commands) -> None:
    """Add `compare`, `report`, `gate` and the `baseline` group to the top-level subparsers."""
    compare = commands.add_parser("compare", help="paired A/B statistics of a scored run -> comparison.json",
                                  description="Means with 95% bootstrap CIs, paired deltas against a reference label "
                                              "(bootstrap CI, permutation p-value, Holm-corrected), win/tie/loss on "
                                              "poetscore, step curves.")
    compare.add_argument("run_dir", metavar="RUN_DIR")
    compare.add_argument("--reference", metavar="LABEL", help="the label to compare against (default: base)")
    compare.set_defaults(func=compare_run)
    report = commands.add_parser("report", help="a self-contained HTML report and summary.md of a scored run",
                                 description="Write RUN/report/index.html (offline: plots and viewer inline) and "
                                             "summary.md; with --model-card LABEL also a Hugging Face model card.")
    report.add_argument("run_dir", metavar="RUN_DIR")
    report.add_argument("-o", "--output", metavar="DIR", help="where to write (default: RUN_DIR/report)")
    report.add_argument("--reference", metavar="LABEL", help="the label to compare against (default: base)")
    report.add_argument("--model-card", metavar="LABEL", help="also write a model card (README.md) for this label")
    report.add_argument("--no-font", action="store_true",
                        help="do not embed a subset of the machine's CJK font (the page is smaller and built faster, "
                             "and shows Chinese only where the reader has a CJK font)")
    report.set_defaults(func=write_report)
    gate = commands.add_parser(
        "gate", help="fail (exit 1) when a run regressed against a baseline",
        description="Pair the run's prompts with a baseline's and flag each metric that is confidently worse by more "
                    "than its tolerance (paired bootstrap 95% CI beyond -tolerance). Exit 0: no regression, 1: "
                    "regression, 2: not comparable (signature or eval-set hash differ, no shared prompt) or bad input.")
    gate.add_argument("run_dir", metavar="RUN_DIR")
    gate.add_argument("--baseline", required=True, metavar="BASELINE.json")
    gate.add_argument("--label", help="the run's label to check (default: the last one)")
    gate.add_argument("--rule", action="append", default=[], metavar="METRIC:TOLERANCE",
                      help="override a tolerance, e.g. poetscore:1 (or *:0 for all); repeatable")
    gate.add_argument("--mode", choices=("ci", "point", "exact"), default="ci",
                      help="ci: the CI must lie beyond the tolerance (default); point: the estimate alone; "
                           "exact: any changed score fails")
    gate.add_argument("--min-coverage", type=float, default=1.0, metavar="SHARE",
                      help="the share of the baseline's prompts the run must answer (default 1.0: all); a missing "
                           "prompt also fails every metric it would have had")
    gate.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    gate.set_defaults(func=gate_run)
    baseline = commands.add_parser("baseline", help="save a baseline for `gate`")
    baseline_commands = baseline.add_subparsers(title="commands", metavar="COMMAND")
    save = baseline_commands.add_parser("save", help="keep one label's per-prompt scores as a baseline",
                                        description="Write a baseline: per-prompt scores, signature, eval-set hash.")
    save.add_argument("run_dir", metavar="RUN_DIR")
    save.add_argument("--label", required=True)
    save.add_argument("-o", "--output", required=True, metavar="FILE")
    save.set_defaults(func=save_baseline)
    help_when_bare(baseline)


def compare_run(args) -> int:
    from poetbench.compare import compare

    result = compare(Path(args.run_dir), args.reference)
    for label, deltas in result["paired"].items():
        d = deltas["poetscore"]
        if d["delta"] is not None:
            print(f"{label} vs {result['reference']}: poetscore {d['delta']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] "
                  f"p(Holm) {d['p_holm']:.3g}; win {result['wins'][label]['win']:.0%}")
    print(f"-> {Path(args.run_dir) / 'comparison.json'}")
    return 0


def write_report(args) -> int:
    from poetbench.compare import read_comparison
    from poetbench.report import build, model_card

    html = build(Path(args.run_dir), Path(args.output) if args.output else None, args.reference,
                 embed_font=not args.no_font)
    print(f"report: {html}\nsummary: {html.with_name('summary.md')}")
    if args.model_card:  # from the comparison the report was built on (its --reference included)
        card = model_card(Path(args.run_dir), args.model_card, comparison=read_comparison(Path(args.run_dir)))
        print(f"model card: {card}")
    return 0


def gate_run(args) -> int:
    from poetbench.gate import gate, render

    verdict = gate(Path(args.run_dir), Path(args.baseline), args.label, args.rule, args.mode, args.min_coverage)
    try:
        print(render(verdict, args.format), flush=True)
    except BrokenPipeError:  # `gate … | head -1`: the verdict's exit code stands
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return verdict["exit_code"]


def save_baseline(args) -> int:
    from poetbench.gate import save_baseline as save

    baseline = save(Path(args.run_dir), args.label, Path(args.output))
    print(f"baseline: {args.label} of {args.run_dir}, {len(baseline['per_prompt'])} prompts -> {args.output}")
    return 0
