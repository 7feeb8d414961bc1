"""The `poetbench` command: a thin layer that parses arguments and calls the library.

This module builds the top-level parser, lets each command group's module add its commands,
dispatches, and is the one place that turns an error into a one-line message and an exit code.
The groups: ``scoring`` (score, tones, check), ``data`` (data …, evalset …), ``runs`` (run,
generate, score-run), ``compare`` (compare, report, gate, baseline …), ``audit`` (audit,
calibrate) and ``demo``; ``common`` holds what they share. Each handler imports the library
modules it needs when it runs, so that `poetbench --help` stays fast."""

from __future__ import annotations

import argparse
import os
import sys

from poetbench import __version__, console, tempfiles
from poetbench.cli import audit, compare, data, demo, runs, scoring
from poetbench.jsonl import InputError

GROUPS = (scoring, data, runs, compare, audit, demo)  # in the order `poetbench --help` lists their commands


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
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


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: the global options, then every group's commands."""
    parser = argparse.ArgumentParser(
        prog="poetbench",
        description="Score classical Chinese poems written by language models: form, 平仄, rhyme and more.",
        epilog="Run `poetbench COMMAND --help` for the options of each command.",
    )
    parser.add_argument("--version", action="version", version=f"poetbench {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="show the libraries' own warnings and progress bars, which poetbench filters as harmless")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    for group in GROUPS:
        group.register(commands)
    return parser
