"""The commands that score poems directly: `score` (a JSONL file), `tones` (the 平仄 of lines) and
`check` (one poem, character by character, with its verdict)."""

from __future__ import annotations

import sys
import time

from poetbench.cli.common import book_options, color, lm_options, positive, scorer_from
from poetbench.jsonl import InputError
from poetbench.forms import FORM_NAMES


def register(commands) -> None:
    """Add `score`, `tones` and `check` to the top-level subparsers."""
    score = commands.add_parser(
        "score", help="score every poem of a JSONL file",
        description="Score every row of a JSONL file. Each output row is the input row plus a "
                    "`scores` object (keys in the README) and the metric `signature`. A bad row gets "
                    "an `error` field and the run goes on.")
    score.add_argument("input", metavar="IN.jsonl", help="JSONL input, one object per line; - for stdin")
    score.add_argument("-o", "--output", metavar="OUT.jsonl", help="write here (atomically) instead of stdout")
    book_options(score, strict=True)
    score.add_argument("--field", default="text", help="the field holding the poem or model output (default: text)")
    score.add_argument("--keep-going", action="store_true",
                       help="exit 0 even when some rows could not be scored (by default: exit 1, with the count)")
    score.add_argument("--jobs", type=positive, help="worker processes (default: one per CPU, at most 4; always one with --lm)")
    score.add_argument("--reference", metavar="CORPUS",
                       help="corpus for the copy metrics (copy_overlap, copy_span, verbatim_lines): a chinese-poetry "
                            "directory or a JSONL file with a 'text' field; without it they are null")
    lm_options(score)
    score.set_defaults(func=score_file)

    tones = commands.add_parser(
        "tones", help="print the 平仄 of each line",
        description="Read lines (from FILE, or stdin) and print each with every Han character "
                    "replaced by 平 or 仄; other characters stay. Lines up to a blank line are read as one "
                    "poem: a 多音字 is read by the word it is in, then (in a poem of a regulated shape that "
                    "follows its patterns) by its position, then by its usual reading in Tang verse; the "
                    "last two are inferred, dim on a terminal. ○ only when nothing decides.")
    tones.add_argument("file", nargs="?", metavar="FILE", help="text file; stdin when omitted")
    book_options(tones, strict=False)
    tones.set_defaults(func=print_tones)

    check = commands.add_parser(
        "check", help="show one poem's 平仄, rhyme and verdict",
        description="Show a poem character by character with its tones, [brackets] round the character "
                    "that breaks a rule and round its tone, ◎ on rhyming lines, and the verdict with reasons: each line against its own "
                    "pattern (犯律, 孤平, 三平尾, accepted 拗救), then 失对 within couplets and 失粘 between them. "
                    "Tones of 多音字 inferred from position or usual reading are listed (and dim on a terminal).")
    check.add_argument("text", metavar="TEXT", help="the poem (any script, any punctuation); - for stdin")
    book_options(check, strict=True)
    check.add_argument("--form", metavar="FORM",
                       help="the form the poem should have (sets form_ok): " + ", ".join(FORM_NAMES)
                            + ", a Chinese name (七律, 五绝 …) or a 词牌 (如梦令, 水调歌头 …)")
    check.add_argument("--reference", metavar="CORPUS", help="corpus for the copy metrics (see `score --help`)")
    check.add_argument("--explain", action="store_true",
                       help="add one line per rule applied (一三五不论, 对, 粘, 孤平, 三平尾, 拗救, 押韵, 多音字): "
                            "what it asks and where it held")
    check.set_defaults(func=check_poem)


def score_file(args) -> int:
    from poetbench.scoring import score_rows

    scorer = scorer_from(args)
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


def print_tones(args) -> int:
    from poetbench.display import tone_lines
    from poetbench.phonology.book import get_book

    book = get_book(args.book)
    dim = color(sys.stdout)
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
                    print("\n".join(tone_lines(block, book, dim)))
                raise InputError(f"{name}:{number}: not valid UTF-8 (byte {exc.start}); re-save it as UTF-8") from None
            if line.strip():
                block.append(line)
                continue
            if block:
                print("\n".join(tone_lines(block, book, dim)))
                block = []
            print(line)
    if block:
        print("\n".join(tone_lines(block, book, dim)))
    return 0


def check_poem(args) -> int:
    from poetbench.display import check_report

    from poetbench.forms import form_key

    text = sys.stdin.read() if args.text == "-" else args.text
    if args.form is not None and form_key(args.form) is None:
        raise InputError(f"--form {args.form!r}: not a form poetbench knows; give one of {', '.join(FORM_NAMES)}, a "
                         "Chinese name (七律, 五绝 …) or a 词牌 of the 词谱 (如梦令, 水调歌头 …)")
    scorer = scorer_from(args)
    print(check_report(scorer.analyse(text, form=args.form), scorer.signature, scorer.book,
                       color=color(sys.stdout), explain=args.explain))
    return 0
