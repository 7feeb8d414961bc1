"""The `poetbench` command: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from poetbench import __version__
from poetbench import console, tempfiles
from poetbench.jsonl import InputError
from poetbench.metrics.form import FORM_NAMES

BOOK_HELP = "rhyme book: pingshui (平水韵, classical, default) or xinyun (中华新韵, modern)"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    tempfiles.terminate_on_sigterm()  # SIGTERM runs the same cleanup as Ctrl-C
    console.quiet(args.verbose)
    try:
        return args.func(args) or 0
    except InputError as exc:
        print(f"poetbench: error: {exc}", file=sys.stderr)
        return 2  # also the gate's "not comparable"
    except KeyboardInterrupt:
        print("poetbench: interrupted; nothing was written over", file=sys.stderr)
        return 130
    except tempfiles.Terminated as exc:
        print("poetbench: terminated; nothing was written over", file=sys.stderr)
        return exc.code
    except BrokenPipeError:  # e.g. `poetbench score x.jsonl | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # never a traceback for the user, unless asked for
        if os.environ.get("POETBENCH_DEBUG"):
            raise
        print(f"poetbench: internal error: {type(exc).__name__}: {exc} "
              "(set POETBENCH_DEBUG=1 to see the traceback, and please report it)", file=sys.stderr)
        return 3


def _book_options(parser: argparse.ArgumentParser, strict: bool) -> None:
    """--book (and --strict): the options that set what the tones and rhymes are checked against."""
    parser.add_argument("--book", choices=("pingshui", "xinyun"), default="pingshui", help=BOOK_HELP)
    if strict:
        parser.add_argument("--strict", action="store_true", help="require the 平仄 pattern at every position")


def _lm_options(parser: argparse.ArgumentParser) -> None:
    """--lm and --allow-pickle: an optional neural reference model for lm_bpc."""
    parser.add_argument("--lm", metavar="hf:PATH_OR_ID",
                        help="also score lm_bpc, bits per character under this causal LM (transformers; batched, "
                             "cached, recorded in the signature), e.g. hf:uer/gpt2-chinese-poem")
    parser.add_argument("--allow-pickle", action="store_true",
                        help="let --lm load pickled weights (.bin); by default only safetensors load")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poetbench",
        description="Score classical Chinese poems written by language models: form, 平仄, rhyme and more.",
        epilog="Run `poetbench COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"poetbench {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the libraries' own warnings and progress bars, which poetbench filters as harmless")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    score = commands.add_parser(
        "score", help="score every poem of a JSONL file",
        description="Score every row of a JSONL file. Each output row is the input row plus a "
                    "`scores` object (keys in the README) and the metric `signature`. A bad row gets "
                    "an `error` field and the run goes on.")
    score.add_argument("input", metavar="IN.jsonl", help="JSONL input, one object per line; - for stdin")
    score.add_argument("-o", "--output", metavar="OUT.jsonl", help="write here (atomically) instead of stdout")
    _book_options(score, strict=True)
    score.add_argument("--field", default="text", help="the field holding the poem or model output (default: text)")
    score.add_argument("--keep-going", action="store_true",
                       help="exit 0 even when some rows could not be scored (by default: exit 1, with the count)")
    score.add_argument("--jobs", type=_positive, help="worker processes (default: one per CPU, at most 4; always one with --lm)")
    score.add_argument("--reference", metavar="CORPUS",
                       help="corpus for the copy metrics (copy_overlap, copy_span, verbatim_lines): a chinese-poetry "
                            "directory or a JSONL file with a 'text' field; without it they are null")
    _lm_options(score)
    score.set_defaults(func=_score)

    tones = commands.add_parser(
        "tones", help="print the 平仄 of each line",
        description="Read lines (from FILE, or stdin) and print each with every Han character "
                    "replaced by 平 or 仄; other characters stay. Lines up to a blank line are read as one "
                    "poem: a 多音字 is read by the word it is in, then (in a poem of a regulated shape that "
                    "follows its patterns) by its position, then by its usual reading in Tang verse; the "
                    "last two are inferred, dim on a terminal. ○ only when nothing decides.")
    tones.add_argument("file", nargs="?", metavar="FILE", help="text file; stdin when omitted")
    _book_options(tones, strict=False)
    tones.set_defaults(func=_tones)

    check = commands.add_parser(
        "check", help="show one poem's 平仄, rhyme and verdict",
        description="Show a poem character by character with its tones, [brackets] round the character "
                    "that breaks a rule and round its tone, ◎ on rhyming lines, and the verdict with reasons: each line against its own "
                    "pattern (犯律, 孤平, 三平尾, accepted 拗救), then 失对 within couplets and 失粘 between them. "
                    "Tones of 多音字 inferred from position or usual reading are listed (and dim on a terminal).")
    check.add_argument("text", metavar="TEXT", help="the poem (any script, any punctuation); - for stdin")
    _book_options(check, strict=True)
    check.add_argument("--form", choices=tuple(FORM_NAMES),
                       help="the form the poem should have (sets form_ok)")
    check.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics (see `score --help`)")
    check.add_argument("--explain", action="store_true",
                       help="add one line per rule applied (一三五不论, 对, 粘, 孤平, 三平尾, 拗救, 押韵, 多音字): "
                            "what it asks and where it held")
    check.set_defaults(func=_check)

    data = commands.add_parser("data", help="prepare and fetch the corpus",
                               description="Prepare a corpus into train / held-out splits, or fetch the full corpus.")
    data_commands = data.add_subparsers(title="commands", metavar="COMMAND")
    prepare = data_commands.add_parser(
        "prepare", help="deduplicated, leakage-free train / held-out split",
        description="Read a corpus, drop bad rows (counted by reason), keep the chosen forms, remove "
                    "duplicates, split by id hash, and remove from train every poem sharing a line with "
                    "a held-out poem. Writes DIR/train.jsonl, DIR/heldout.jsonl, DIR/manifest.json.")
    prepare.add_argument("--source", help="chinese-poetry:PATH (directory or .tgz), kaggle:FILE.csv or jsonl:FILE; "
                                          "default: the corpus found by discovery ($POETBENCH_CORPUS, "
                                          "../shared/data/chinese-poetry, the `data fetch` cache)")
    prepare.add_argument("-o", "--output", required=True, metavar="DIR", help="where to write the split")
    prepare.add_argument("--forms", default="wujue,qijue,wulv,qilv",
                         help="comma-separated forms to keep (default: the four regulated ones; 'all' keeps every form)")
    prepare.add_argument("--heldout", type=float, default=0.05, help="held-out fraction (default 0.05)")
    prepare.add_argument("--seed", type=int, default=0, help="split seed (default 0)")
    prepare.add_argument("--text-column", default="Poem_Text", help="text column of a Kaggle CSV (default Poem_Text)")
    prepare.set_defaults(func=_prepare)
    fetch = data_commands.add_parser(
        "fetch", help="get the full corpus with npm (chinese-poetry@2.0.1)",
        description="Download chinese-poetry@2.0.1 with `npm pack`, check it against the registry's published "
                    "integrity hash, and unpack it. A tarball downloaded by hand into DEST is used as is.")
    fetch.add_argument("--dest", metavar="DIR", help="where to keep it (default: ~/.cache/poetbench/corpus)")
    fetch.set_defaults(func=_fetch)

    evalset = commands.add_parser("evalset", help="list, show and build eval sets",
                                  description="Versioned prompt sets (schema in the README).")
    evalset_commands = evalset.add_subparsers(title="commands", metavar="COMMAND")
    listing = evalset_commands.add_parser("list", help="the registered eval sets")
    listing.set_defaults(func=_evalset_list)
    show = evalset_commands.add_parser("show", help="the prompts of a set, as JSONL")
    show.add_argument("name", metavar="NAME_OR_FILE")
    show.add_argument("--corpus", metavar="DIR", help="a `data prepare` directory (for sets drawn from held-out poems)")
    show.set_defaults(func=_evalset_show)
    build = evalset_commands.add_parser(
        "build", help="materialise a set and check its content hash",
        description="Build a set deterministically (from the held-out split of --corpus where it needs one) and "
                    "check it against the committed content hash.")
    build.add_argument("name", metavar="NAME")
    build.add_argument("--corpus", metavar="DIR", help="a `data prepare` directory, or a raw corpus to prepare "
                                                       "with the defaults (default: corpus discovery)")
    build.add_argument("-o", "--output", metavar="FILE", help="write the JSONL here (default: stdout)")
    build.add_argument("--no-verify", action="store_true", help="do not fail on a content hash mismatch")
    build.set_defaults(func=_evalset_build)
    run = commands.add_parser(
        "run", help="generate from base + checkpoints on an eval set, score, summarise (resumable)",
        description="Generate a poem for every prompt of an eval set from every checkpoint, score them, and write a "
                    "run directory (run.json, LABEL/samples.jsonl, scores.jsonl, summary.json). Samples are cached by "
                    "checkpoint identity (a hash of its weights), prompt, settings, seed and sample index: a rerun "
                    "generates only what is missing.")
    generate = commands.add_parser("generate", help="the generation stage of `run` alone",
                                   description="Generate the missing samples of a run directory; no scoring.")
    for sub in (run, generate):
        sub.add_argument("--checkpoints", required=True, metavar="SPEC",
                         help="label=path-or-model-id,… and/or a training output directory (base + every checkpoint-N)")
        sub.add_argument("--eval-set", required=True, metavar="NAME_OR_FILE", help="smoke-v1, core-v1, or a JSONL file")
        sub.add_argument("-o", "--output", required=True, metavar="RUN_DIR")
        sub.add_argument("--backend", choices=("hf", "openai", "file"), default="hf")
        sub.add_argument("--batch-size", type=_positive, default=8, help="prompts per generation batch (default 8)")
        sub.add_argument("--num-samples", type=_positive, default=1, help="samples per prompt (default 1)")
        sub.add_argument("--seed", type=int, default=0)
        sub.add_argument("--gen-kwargs", default="", help="temperature=0.7,top_p=0.9,max_new_tokens=128,repetition_penalty=1.3 "
                                                          "(default: greedy, 128 new tokens, no penalty)")
        sub.add_argument("--limit", type=_positive, help="only the first N prompts")
        sub.add_argument("--device", choices=("cpu", "cuda", "auto"), default="auto")
        sub.add_argument("--load-in-4bit", action="store_true", help="hf backend: load the base in 4-bit NF4 through bitsandbytes "
                                                                       "(on CUDA, or on bitsandbytes' slower CPU backend)")
        sub.add_argument("--base-url", help="openai backend: the server, e.g. http://127.0.0.1:8000/v1")
        sub.add_argument("--concurrency", type=_positive, default=4, help="openai backend: requests at a time")
        sub.add_argument("--timeout", type=_seconds, default=60.0, metavar="SECONDS",
                         help="openai backend: the most one request may take, from connecting to the answer's "
                              "last byte (default 60)")
        sub.add_argument("--max-retries", type=_whole, default=4, metavar="N",
                         help="openai backend: retries of a failed request, with backoff (default 4)")
        sub.add_argument("--api-key-env", metavar="NAME",
                         help="openai backend: the environment variable holding the API key (default OPENAI_API_KEY; "
                              "the key is never printed or written)")
        sub.add_argument("--corpus", help="for eval sets drawn from held-out poems (default: corpus discovery)")
        sub.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics")
    run.set_defaults(func=_run)
    generate.set_defaults(func=_generate)
    score_run = commands.add_parser("score-run", help="score a run directory again, without generating",
                                    description="Re-score the samples on disk (e.g. after a metric upgrade).")
    score_run.add_argument("run_dir", metavar="RUN_DIR")
    score_run.set_defaults(func=_score_run)
    compare = commands.add_parser("compare", help="paired A/B statistics of a scored run -> comparison.json",
                                  description="Means with 95% bootstrap CIs, paired deltas against a reference label "
                                              "(bootstrap CI, permutation p-value, Holm-corrected), win/tie/loss on "
                                              "poetscore, step curves.")
    compare.add_argument("run_dir", metavar="RUN_DIR")
    compare.add_argument("--reference", metavar="LABEL", help="the label to compare against (default: base)")
    compare.set_defaults(func=_compare)
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
    report.set_defaults(func=_report)
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
    gate.set_defaults(func=_gate)
    baseline = commands.add_parser("baseline", help="save a baseline for `gate`")
    baseline_commands = baseline.add_subparsers(title="commands", metavar="COMMAND")
    save = baseline_commands.add_parser("save", help="keep one label's per-prompt scores as a baseline",
                                        description="Write a baseline: per-prompt scores, signature, eval-set hash.")
    save.add_argument("run_dir", metavar="RUN_DIR")
    save.add_argument("--label", required=True)
    save.add_argument("-o", "--output", required=True, metavar="FILE")
    save.set_defaults(func=_baseline_save)
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
    audit.set_defaults(func=_audit)
    calibrate = commands.add_parser(
        "calibrate", help="correlate every metric and PoetScore with human ratings (Spearman, Kendall, bootstrap CIs)",
        description="Score the poems of a JSONL file of human ratings and print, for every metric and for PoetScore "
                    "against each --field, Spearman's rho and Kendall's tau-b with 95%% bootstrap CIs.")
    calibrate.add_argument("--human", required=True, metavar="FILE.jsonl",
                           help="one poem per row: its text and a numeric rating per --field")
    calibrate.add_argument("--field", action="append", required=True, metavar="NAME",
                           help="a rating field (repeat for several, e.g. --field fluency --field overall)")
    calibrate.add_argument("--text-field", default="text", help="the field holding the poem (default text)")
    _book_options(calibrate, strict=True)
    calibrate.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics, as for `score`")
    _lm_options(calibrate)
    calibrate.add_argument("-o", "--output", metavar="FILE", help="also write the result as JSON")
    calibrate.set_defaults(func=_calibrate)
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
    demo.add_argument("--grpo", type=_whole, nargs="?", const=60, default=0, metavar="STEPS",
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
    demo.set_defaults(func=_demo)
    for sub in (data, evalset, baseline):
        sub.set_defaults(func=lambda args, sub=sub: sub.print_help() or 2)
    return parser


def _scorer(args):
    from poetbench.metrics.copying import ReferenceError
    from poetbench.scoring import Scorer

    try:
        return Scorer(book=args.book, strict=args.strict, reference=getattr(args, "reference", None),
                      lm=getattr(args, "lm", None), allow_pickle=getattr(args, "allow_pickle", False))
    except ReferenceError as exc:
        raise InputError(str(exc)) from None


def _score(args) -> int:
    from poetbench.scoring import score_rows

    scorer = _scorer(args)
    started = time.perf_counter()
    stats = score_rows(scorer, args.input, args.output, field=args.field, progress=sys.stderr.isatty(), jobs=args.jobs)
    elapsed = time.perf_counter() - started
    where = args.output or "stdout"
    # One count throughout: every row read, and those of them that failed (the line below says the same).
    print(f"poetbench: scored {stats.scored + stats.errors} rows, {stats.errors} with errors, in {elapsed:.1f}s -> {where}\n"
          f"poetbench: signature {scorer.signature}", file=sys.stderr)
    if stats.warning(args.input):
        print(stats.warning(args.input), file=sys.stderr)
    if stats.errors and not args.keep_going:
        print(f"poetbench: {stats.errors} of {stats.scored + stats.errors} rows failed (each carries an `error` field "
              f"in the output); exit 1 (--keep-going exits 0)", file=sys.stderr)
        return 1
    return 0


def _tones(args) -> int:
    from poetbench.display import tone_lines
    from poetbench.phonology.book import get_book

    book = get_book(args.book)
    color = _color(sys.stdout)
    name = args.file or "stdin"
    if args.file:
        try:
            stream = open(args.file, "rb")
        except OSError as exc:
            raise InputError(f"{args.file}: cannot read ({exc.strerror}); check the path") from None
    else:
        stream = sys.stdin.buffer
    block: list[str] = []  # lines up to a blank line: one poem, read together
    with stream:
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                if block:  # what was read before the bad line is still printed
                    print("\n".join(tone_lines(block, book, color)))
                raise InputError(f"{name}:{number}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
            if line.strip():
                block.append(line)
                continue
            if block:
                print("\n".join(tone_lines(block, book, color)))
                block = []
            print(line)
    if block:
        print("\n".join(tone_lines(block, book, color)))
    return 0


def _at_least(low: int):
    """An argparse type: a whole number of ``low`` or more."""
    def whole(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value}: give {low} or more")
        return value

    return whole


_positive, _whole = _at_least(1), _at_least(0)


def _seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1e6:
        raise argparse.ArgumentTypeError(f"{text}: give a number of seconds above 0")
    return value


def _color(stream) -> bool:
    """Whether to dim inferred tones: a terminal, and NO_COLOR unset."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def _check(args) -> int:
    from poetbench.display import check_report

    text = sys.stdin.read() if args.text == "-" else args.text
    scorer = _scorer(args)
    print(check_report(scorer.analyse(text, form=args.form), scorer.signature, scorer.book,
                       color=_color(sys.stdout), explain=args.explain))
    return 0


def _prepare(args) -> int:
    from poetbench.data.discovery import find_corpus
    from poetbench.data.prepare import prepare

    source = args.source or f"chinese-poetry:{find_corpus()}"
    forms = None if args.forms == "all" else tuple(f.strip() for f in args.forms.split(",") if f.strip())
    manifest = prepare(source, Path(args.output), forms=forms, heldout=args.heldout, seed=args.seed,
                       text_column=args.text_column)
    counts = manifest["counts"]
    print(f"read {counts['read']} rows from {source}\n"
          f"  bad rows: {_counts(counts['bad'])}\n"
          f"  left out by form: {_counts(counts['filtered_by_form'])}\n"
          f"  duplicates: {counts['duplicates']}\n"
          f"  train poems removed for sharing a line with a held-out poem: {counts['train_removed_for_leakage']} "
          f"({counts['train_lines_shared_with_heldout']} lines)\n"
          f"  train {counts['train']}, held-out {counts['heldout']} ({_counts(counts['forms'])})\n"
          f"-> {args.output}/train.jsonl, heldout.jsonl, manifest.json")
    return 0


def _run_from(args):
    from poetbench.runner import Run, RunSettings, parse_gen_kwargs

    settings = RunSettings(checkpoints=args.checkpoints, eval_set=args.eval_set, output=args.output, backend=args.backend,
                           batch_size=args.batch_size, num_samples=args.num_samples, seed=args.seed,
                           gen_kwargs=parse_gen_kwargs(args.gen_kwargs), limit=args.limit, device=args.device,
                           base_url=args.base_url, concurrency=args.concurrency, timeout=args.timeout,
                           max_retries=args.max_retries, api_key_env=args.api_key_env, corpus=args.corpus,
                           reference=args.reference, load_in_4bit=args.load_in_4bit)
    return Run(settings, ["poetbench", *sys.argv[1:]])


def _run(args) -> int:
    from poetbench.runner import table

    from poetbench.rundir import writing

    run = _run_from(args)
    with writing(run.dir, create=True):  # one lock over both stages: no other writer between them
        generated = run.generate(progress=sys.stderr.isatty())
        summaries = run.score()
    print(table(summaries))
    print(f"generated now: {_counts(generated)} -> {args.output}", file=sys.stderr)
    return 0


def _generate(args) -> int:
    generated = _run_from(args).generate(progress=sys.stderr.isatty())
    print(f"generated now: {_counts(generated)} -> {args.output}")
    return 0


def _score_run(args) -> int:
    from poetbench.runner import score_run, table

    print(table(score_run(Path(args.run_dir))))
    return 0


def _compare(args) -> int:
    from poetbench.compare import compare

    result = compare(Path(args.run_dir), args.reference)
    for label, deltas in result["paired"].items():
        d = deltas["poetscore"]
        if d["delta"] is not None:
            print(f"{label} vs {result['reference']}: poetscore {d['delta']:+.2f} [{d['low']:+.2f}, {d['high']:+.2f}] "
                  f"p(Holm) {d['p_holm']:.3g}; win {result['wins'][label]['win']:.0%}")
    print(f"-> {Path(args.run_dir) / 'comparison.json'}")
    return 0


def _report(args) -> int:
    from poetbench.compare import read_comparison
    from poetbench.report import build, model_card

    html = build(Path(args.run_dir), Path(args.output) if args.output else None, args.reference,
                 embed_font=not args.no_font)
    print(f"report: {html}\nsummary: {html.with_name('summary.md')}")
    if args.model_card:  # from the comparison the report was built on (its --reference included)
        card = model_card(Path(args.run_dir), args.model_card, comparison=read_comparison(Path(args.run_dir)))
        print(f"model card: {card}")
    return 0


def _gate(args) -> int:
    from poetbench.gate import gate, render

    verdict = gate(Path(args.run_dir), Path(args.baseline), args.label, args.rule, args.mode, args.min_coverage)
    try:
        print(render(verdict, args.format), flush=True)
    except BrokenPipeError:  # `gate … | head -1`: the verdict's exit code stands
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return verdict["exit_code"]


def _baseline_save(args) -> int:
    from poetbench.gate import save_baseline

    baseline = save_baseline(Path(args.run_dir), args.label, Path(args.output))
    print(f"baseline: {args.label} of {args.run_dir}, {len(baseline['per_prompt'])} prompts -> {args.output}")
    return 0


def _audit(args) -> int:
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


def _calibrate(args) -> int:
    import json

    from poetbench import calibrate
    from poetbench.jsonl import atomic_writer

    result = calibrate.calibrate(args.human, args.field, _scorer(args), text_field=args.text_field)
    print(calibrate.format_table(result))
    if args.output:
        with atomic_writer(args.output) as out:
            out.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        print(f"-> {args.output}")
    return 0


def _demo(args) -> int:
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
        print("\n" + "\n".join(result["grpo"]["flags"] or ["no reward hacking flagged (meter up while fluency or "
                                                               f"coherence down by {MIN_FALL:g} or more, paired CIs clear of 0)"]))
        print(f"\nFluency and coherence against real held-out poems (AUC 0.5 = indistinguishable):\n"
              f"{result['grpo']['audit_table']}")
        print(f"\nEach reward on the training prompts (sampled) and on the eval set (held out; greedy, paired):\n"
              f"{result['grpo']['reward_gap_table']}")
    print(f"\nreport: {result['html']}  ({result['seconds']} s)")
    return 0


def _counts(counts: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in counts.items()) or "none"


def _fetch(args) -> int:
    from poetbench.data.fetch import fetch

    root = fetch(Path(args.dest) if args.dest else None)
    print(f"corpus ready: {root}\n(set POETBENCH_CORPUS={root} or pass it as --source/--corpus)")
    return 0


def _evalset_list(args) -> int:
    from poetbench.evalsets import registry

    for name, spec in registry().items():
        print(f"{name:10s} {spec['description']}  [sha256 {(spec.get('content_hash') or '')[:12]}]")
    return 0


def _evalset_rows(args) -> list[dict]:
    from poetbench import evalsets

    return evalsets.load(args.name, args.corpus, verify=not getattr(args, "no_verify", False))


def _evalset_show(args) -> int:
    for row in _evalset_rows(args):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def _evalset_build(args) -> int:
    from poetbench.evalsets import content_hash
    from poetbench.jsonl import atomic_writer, dump_lines

    rows = _evalset_rows(args)
    with atomic_writer(args.output, binary=True) as out:
        out.write(dump_lines(rows))
    print(f"{args.name}: {len(rows)} prompts, sha256 {content_hash(rows)[:12]}"
          + (f" -> {args.output}" if args.output else ""), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
