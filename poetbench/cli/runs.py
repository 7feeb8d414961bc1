"""The commands over a run directory's samples: `run` (generate, then score), `generate` (its first
stage alone) and `score-run` (its second stage again), and the RunSettings built from their options."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

from poetbench.cli.common import counts, positive, seconds, whole
from poetbench.generation import BACKENDS


def register(commands) -> None:
    """Add `run`, `generate` and `score-run` to the top-level subparsers."""
    run = commands.add_parser(
        "run", help="generate from base + checkpoints on an eval set, score, summarise (resumable)",
        description="Generate a poem for every prompt of an eval set from every checkpoint, score them, and write a "
                    "run directory (run.json, LABEL/samples.jsonl, scores.jsonl, summary.json). Samples are cached by "
                    "checkpoint identity (a hash of its weights), prompt, settings, seed and sample index: a rerun "
                    "generates only what is missing.")
    generate = commands.add_parser("generate", help="the generation stage of `run` alone",
                                   description="Generate the missing samples of a run directory; no scoring.")
    run_options(run)
    run_options(generate)
    run.set_defaults(func=run_and_score)
    generate.set_defaults(func=generate_only)
    score_run = commands.add_parser("score-run", help="score a run directory again, without generating",
                                    description="Re-score the samples on disk (e.g. after a metric upgrade).")
    score_run.add_argument("run_dir", metavar="RUN_DIR")
    score_run.set_defaults(func=rescore)


def run_options(parser) -> None:
    """The options of `run` and `generate`: one per field of poetbench.runner.RunSettings, same names."""
    parser.add_argument("--checkpoints", required=True, metavar="SPEC",
                        help="label=path-or-model-id,… and/or a training output directory (base + every checkpoint-N)")
    parser.add_argument("--eval-set", required=True, metavar="NAME_OR_FILE", help="smoke-v1, core-v1, or a JSONL file")
    parser.add_argument("-o", "--output", required=True, metavar="RUN_DIR")
    parser.add_argument("--backend", choices=tuple(BACKENDS), default="hf")
    parser.add_argument("--batch-size", type=positive, default=8, help="prompts per generation batch (default 8)")
    parser.add_argument("--num-samples", type=positive, default=1, help="samples per prompt (default 1)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--gen-kwargs", default="", help="temperature=0.7,top_p=0.9,max_new_tokens=128,repetition_penalty=1.3 "
                                                         "(default: greedy, 128 new tokens, no penalty)")
    parser.add_argument("--limit", type=positive, help="only the first N prompts")
    parser.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
    parser.add_argument("--load-in-4bit", action="store_true", help="hf backend: load the base in 4-bit NF4 through bitsandbytes "
                                                                      "(on CUDA, or on bitsandbytes' slower CPU backend)")
    parser.add_argument("--base-url", help="openai backend: the server, e.g. http://127.0.0.1:8000/v1")
    parser.add_argument("--concurrency", type=positive, default=4, help="openai backend: requests at a time")
    parser.add_argument("--timeout", type=seconds, default=60.0, metavar="SECONDS",
                        help="openai backend: the most one request may take, from connecting to the answer's "
                             "last byte (default 60)")
    parser.add_argument("--max-retries", type=whole, default=4, metavar="N",
                        help="openai backend: retries of a failed request, with backoff (default 4)")
    parser.add_argument("--api-key-env", metavar="NAME",
                        help="openai backend: the environment variable holding the API key (default OPENAI_API_KEY; "
                             "the key is never printed or written)")
    parser.add_argument("--corpus", help="for eval sets drawn from held-out poems (default: corpus discovery)")
    parser.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics")


def run_settings(args):
    """The RunSettings of `run` / `generate`: every field taken from the option of the same name
    (``--gen-kwargs`` parsed into its dict); a field with no option keeps its default."""
    from poetbench.runner import RunSettings, parse_gen_kwargs

    given = vars(args)
    values = {f.name: given[f.name] for f in dataclasses.fields(RunSettings) if f.name in given}
    values["gen_kwargs"] = parse_gen_kwargs(args.gen_kwargs)
    return RunSettings(**values)


def _run_from(args):
    from poetbench.runner import Run

    return Run(run_settings(args), ["poetbench", *sys.argv[1:]])


def run_and_score(args) -> int:
    from poetbench.rundir import writing
    from poetbench.runner import table

    run = _run_from(args)
    with writing(run.dir, create=True):  # one lock over both stages: no other writer between them
        generated = run.generate(progress=sys.stderr.isatty())
        summaries = run.score()
    print(table(summaries))
    print(f"generated now: {counts(generated)} -> {args.output}", file=sys.stderr)
    return 0


def generate_only(args) -> int:
    generated = _run_from(args).generate(progress=sys.stderr.isatty())
    print(f"generated now: {counts(generated)} -> {args.output}")
    return 0


def rescore(args) -> int:
    from poetbench.runner import score_run, table

    print(table(score_run(Path(args.run_dir))))
    return 0
