"""What more than one command group shares: the argparse types, the option sets for the rhyme book
and the neural LM, the Scorer built from them, and two small output helpers."""

from __future__ import annotations

import argparse
import os

from poetbench.jsonl import InputError

BOOK_HELP = "rhyme book: pingshui (平水韵, classical, default) or xinyun (中华新韵, modern)"


def book_options(parser: argparse.ArgumentParser, strict: bool) -> None:
    """--book (and --strict): the options that set what the tones and rhymes are checked against."""
    parser.add_argument("--book", choices=("pingshui", "xinyun"), default="pingshui", help=BOOK_HELP)
    if strict:
        parser.add_argument("--strict", action="store_true", help="require the 平仄 pattern at every position")


def lm_options(parser: argparse.ArgumentParser) -> None:
    """--lm and --allow-pickle: an optional neural reference model for lm_bpc."""
    parser.add_argument("--lm", metavar="hf:PATH_OR_ID",
                        help="also score lm_bpc, bits per character under this causal LM (transformers; batched, "
                             "cached, recorded in the signature), e.g. hf:uer/gpt2-chinese-poem")
    parser.add_argument("--allow-pickle", action="store_true",
                        help="let --lm load pickled weights (.bin); by default only safetensors load")


def scorer_from(args):
    """The Scorer that the book, LM and reference options of ``args`` ask for."""
    from poetbench.metrics.copying import ReferenceError
    from poetbench.scoring import Scorer

    try:
        return Scorer(book=args.book, strict=args.strict, reference=getattr(args, "reference", None),
                      lm=getattr(args, "lm", None), allow_pickle=getattr(args, "allow_pickle", False))
    except ReferenceError as exc:
        raise InputError(str(exc)) from None


def at_least(low: int):
    """An argparse type: a whole number of ``low`` or more."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value}: give {low} or more")
        return value

    return parse


positive, whole = at_least(1), at_least(0)


def seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1e6:
        raise argparse.ArgumentTypeError(f"{text}: give a number of seconds above 0")
    return value


def color(stream) -> bool:
    """Whether to dim inferred tones: a terminal, and NO_COLOR unset."""
    return stream.isatty() and not os.environ.get("NO_COLOR")


def counts(counted: dict) -> str:
    """``{"a": 1, "b": 2}`` -> ``a 1, b 2`` (``none`` when empty)."""
    return ", ".join(f"{k} {v}" for k, v in counted.items()) or "none"


def help_when_bare(parser: argparse.ArgumentParser) -> None:
    """A command group given no subcommand (`poetbench data`) prints its help and exits 2."""
    parser.set_defaults(func=lambda args: parser.print_help() or 2)
