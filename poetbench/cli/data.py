"""The commands that make the inputs: `data prepare` and `data fetch` (the corpus and its splits),
and `evalset list`, `evalset show` and `evalset build` (the versioned prompt sets)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from poetbench.cli.common import counts, help_when_bare


def register(commands) -> None:
    """Add the `data` and `evalset` groups to the top-level subparsers."""
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
    prepare.add_argument("--ci", action="store_true",
                         help="also the 全宋词 ci of the 词谱's tunes (form ci, the tune kept; SFT asks for each by its tune)")
    prepare.add_argument("--text-column", default="Poem_Text", help="text column of a Kaggle CSV (default Poem_Text)")
    prepare.set_defaults(func=prepare_corpus)
    fetch = data_commands.add_parser(
        "fetch", help="get the full corpus with npm (chinese-poetry@2.0.1)",
        description="Download chinese-poetry@2.0.1 with `npm pack`, check it against the registry's published "
                    "integrity hash, and unpack it. A tarball downloaded by hand into DEST is used as is.")
    fetch.add_argument("--dest", metavar="DIR", help="where to keep it (default: ~/.cache/poetbench/corpus)")
    fetch.set_defaults(func=fetch_corpus)
    help_when_bare(data)

    evalset = commands.add_parser("evalset", help="list, show and build eval sets",
                                  description="Versioned prompt sets (schema in the README).")
    evalset_commands = evalset.add_subparsers(title="commands", metavar="COMMAND")
    listing = evalset_commands.add_parser("list", help="the registered eval sets")
    listing.set_defaults(func=list_evalsets)
    show = evalset_commands.add_parser("show", help="the prompts of a set, as JSONL")
    show.add_argument("name", metavar="NAME_OR_FILE")
    show.add_argument("--corpus", metavar="DIR", help="a `data prepare` directory (for sets drawn from held-out poems)")
    show.set_defaults(func=show_evalset)
    build = evalset_commands.add_parser(
        "build", help="materialise a set and check its content hash",
        description="Build a set deterministically (from the held-out split of --corpus where it needs one) and "
                    "check it against the committed content hash.")
    build.add_argument("name", metavar="NAME")
    build.add_argument("--corpus", metavar="DIR", help="a `data prepare` directory, or a raw corpus to prepare "
                                                       "with the defaults (default: corpus discovery)")
    build.add_argument("-o", "--output", metavar="FILE", help="write the JSONL here (default: stdout)")
    build.add_argument("--no-verify", action="store_true", help="do not fail on a content hash mismatch")
    build.set_defaults(func=build_evalset)
    help_when_bare(evalset)


def prepare_corpus(args) -> int:
    from poetbench.data.discovery import find_corpus
    from poetbench.data.prepare import prepare

    source = args.source or f"chinese-poetry:{find_corpus()}"
    forms = None if args.forms == "all" else tuple(f.strip() for f in args.forms.split(",") if f.strip())
    manifest = prepare(source, Path(args.output), forms=forms, heldout=args.heldout, seed=args.seed,
                       text_column=args.text_column, ci=args.ci)
    counted = manifest["counts"]
    print(f"read {counted['read']} rows from {source}\n"
          f"  bad rows: {counts(counted['bad'])}\n"
          f"  left out by form: {counts(counted['filtered_by_form'])}\n"
          f"  duplicates: {counted['duplicates']}\n"
          f"  train poems removed for sharing a line with a held-out poem: {counted['train_removed_for_leakage']} "
          f"({counted['train_lines_shared_with_heldout']} lines)\n"
          f"  train {counted['train']}, held-out {counted['heldout']} ({counts(counted['forms'])})\n"
          f"-> {args.output}/train.jsonl, heldout.jsonl, manifest.json")
    return 0


def fetch_corpus(args) -> int:
    from poetbench.data.fetch import fetch

    root = fetch(Path(args.dest) if args.dest else None)
    print(f"corpus ready: {root}\n(set POETBENCH_CORPUS={root} or pass it as --source/--corpus)")
    return 0


def list_evalsets(args) -> int:
    from poetbench.evalsets import registry

    for name, spec in registry().items():
        print(f"{name:10s} {spec['description']}  [sha256 {(spec.get('content_hash') or '')[:12]}]")
    return 0


def _evalset_rows(args) -> list[dict]:
    from poetbench import evalsets

    return evalsets.load(args.name, args.corpus, verify=not getattr(args, "no_verify", False))


def show_evalset(args) -> int:
    for row in _evalset_rows(args):
        print(json.dumps(row, ensure_ascii=False))
    return 0


def build_evalset(args) -> int:
    from poetbench.evalsets import content_hash
    from poetbench.jsonl import atomic_writer, dump_lines

    rows = _evalset_rows(args)
    with atomic_writer(args.output, binary=True) as out:
        out.write(dump_lines(rows))
    print(f"{args.name}: {len(rows)} prompts, sha256 {content_hash(rows)[:12]}"
          + (f" -> {args.output}" if args.output else ""), file=sys.stderr)
    return 0
