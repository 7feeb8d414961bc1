"""The `poetbench` command: a thin layer that parses arguments and calls the library."""

from __future__ import annotations

import argparse
import os
import sys
import time

from poetbench import __version__
from poetbench.jsonl import InputError

BOOK_HELP = "rhyme book: pingshui (平水韵, classical, default) or xinyun (中华新韵, modern)"


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args) or 0
    except InputError as exc:
        print(f"poetbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("poetbench: interrupted; nothing was written over", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `poetbench score x.jsonl | head`
        sys.stderr.close()
        return 0
    except Exception as exc:  # never a traceback for the user, unless asked for
        if os.environ.get("POETBENCH_DEBUG"):
            raise
        print(f"poetbench: internal error: {type(exc).__name__}: {exc} "
              "(set POETBENCH_DEBUG=1 to see the traceback, and please report it)", file=sys.stderr)
        return 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="poetbench",
        description="Score classical Chinese poems written by language models: form, 平仄, rhyme and more.",
        epilog="Run `poetbench COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"poetbench {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    score = commands.add_parser(
        "score", help="score every poem of a JSONL file",
        description="Score every row of a JSONL file. Each output row is the input row plus a "
                    "`scores` object (keys in the README) and the metric `signature`. A bad row gets "
                    "an `error` field and the run goes on.")
    score.add_argument("input", metavar="IN.jsonl", help="JSONL input, one object per line; - for stdin")
    score.add_argument("-o", "--output", metavar="OUT.jsonl", help="write here (atomically) instead of stdout")
    score.add_argument("--book", choices=("pingshui", "xinyun"), default="pingshui", help=BOOK_HELP)
    score.add_argument("--strict", action="store_true", help="require the 平仄 pattern at every position")
    score.add_argument("--field", default="text", help="the field holding the poem or model output (default: text)")
    score.add_argument("--reference", metavar="CORPUS",
                       help="corpus for the copy metrics (copy_overlap, copy_span, verbatim_lines): a chinese-poetry "
                            "directory or a JSONL file with a 'text' field; without it they are null")
    score.set_defaults(func=_score)

    tones = commands.add_parser(
        "tones", help="print the 平仄 of each line",
        description="Read lines (from FILE, or stdin) and print each with every Han character "
                    "replaced by 平 or 仄 (○ only when it cannot be decided); other characters stay.")
    tones.add_argument("file", nargs="?", metavar="FILE", help="text file; stdin when omitted")
    tones.add_argument("--book", choices=("pingshui", "xinyun"), default="pingshui", help=BOOK_HELP)
    tones.set_defaults(func=_tones)

    check = commands.add_parser(
        "check", help="show one poem's 平仄, rhyme and verdict",
        description="Show a poem character by character with its tones, ● where the pattern "
                    "breaks, ◎ on rhyming lines, and the verdict with reasons.")
    check.add_argument("text", metavar="TEXT", help="the poem (any script, any punctuation); - for stdin")
    check.add_argument("--book", choices=("pingshui", "xinyun"), default="pingshui", help=BOOK_HELP)
    check.add_argument("--strict", action="store_true", help="require the 平仄 pattern at every position")
    check.add_argument("--form", choices=("wujue", "qijue", "wulv", "qilv", "pailv", "gushi"),
                       help="the form the poem should have (sets form_ok)")
    check.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics (see `score --help`)")
    check.set_defaults(func=_check)
    return parser


def _scorer(args):
    from poetbench.metrics.copying import ReferenceError
    from poetbench.scoring import Scorer

    try:
        return Scorer(book=args.book, strict=args.strict, reference=getattr(args, "reference", None))
    except ReferenceError as exc:
        raise InputError(str(exc)) from None


def _score(args) -> int:
    from poetbench.scoring import score_rows

    scorer = _scorer(args)
    started = time.perf_counter()
    stats = score_rows(scorer, args.input, args.output, field=args.field, progress=sys.stderr.isatty())
    elapsed = time.perf_counter() - started
    where = args.output or "stdout"
    print(f"poetbench: scored {stats.scored} rows, {stats.errors} with errors, in {elapsed:.1f}s -> {where}\n"
          f"poetbench: signature {scorer.signature}", file=sys.stderr)
    return 0


def _tones(args) -> int:
    from poetbench.display import tone_line
    from poetbench.phonology.book import get_book

    book = get_book(args.book)
    name = args.file or "stdin"
    if args.file:
        try:
            stream = open(args.file, "rb")
        except OSError as exc:
            raise InputError(f"{args.file}: cannot read ({exc.strerror}); check the path") from None
    else:
        stream = sys.stdin.buffer
    with stream:
        for number, raw in enumerate(stream, start=1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}:{number}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
            print(tone_line(line, book))
    return 0


def _check(args) -> int:
    from poetbench.display import check_report

    text = sys.stdin.read() if args.text == "-" else args.text
    scorer = _scorer(args)
    print(check_report(scorer.analyse(text, form=args.form), scorer.signature, scorer.book))
    return 0


if __name__ == "__main__":
    sys.exit(main())
