"""JSONL in and out: rows with their line numbers, bad rows reported not fatal, atomic writes."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import orjson

from poetbench import tempfiles


class InputError(Exception):
    """A problem the user can fix: the message names the file (and line) and says how."""


@dataclass
class Row:
    line: int  # 1-based line number in the file
    data: dict | None  # the parsed object, or None when the line is bad
    error: str | None = None
    raw: str | None = None  # the line as read, kept when it could not be parsed


def _open_input(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    try:
        return open(path, "rb")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file; check the path (use - to read standard input)") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory; give a .jsonl file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror}); check its permissions") from None


def raw_lines(path: str) -> Iterator[tuple[int, bytes]]:
    """(line number, bytes) of every line of a file (``-``: stdin); read errors are InputErrors."""
    stream = _open_input(path)
    try:
        yield from enumerate(stream, start=1)
    except OSError as exc:
        raise InputError(f"{path}: read failed ({exc.strerror})") from None
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


BOM = "\ufeff".encode("utf-8")


def parse_rows(path: str, lines) -> Iterator[Row]:
    """Rows of numbered raw lines; blank lines are skipped, malformed ones carry ``error``; a
    byte-order mark at the start of the file is dropped."""
    for number, raw_bytes in lines:
        if number == 1 and raw_bytes.startswith(BOM):
            raw_bytes = raw_bytes[len(BOM):]
        try:
            data = orjson.loads(raw_bytes)  # validates UTF-8 and JSON in one pass
        except orjson.JSONDecodeError as exc:
            if raw_bytes.strip():
                yield _bad_row(path, number, raw_bytes, exc)
            continue
        if not isinstance(data, dict):
            yield Row(number, None, f"{path}:{number}: expected a JSON object, got {type(data).__name__}",
                      raw_bytes.decode("utf-8", "replace").strip())
            continue
        yield Row(number, data)


def read_rows(path: str) -> Iterator[Row]:
    """Yield every non-blank line of a JSONL file as a Row; malformed lines carry ``error``."""
    yield from parse_rows(path, raw_lines(path))


def _bad_row(path: str, number: int, raw_bytes: bytes, exc: Exception) -> Row:
    try:
        text = raw_bytes.decode("utf-8").strip()
    except UnicodeDecodeError as bad:
        return Row(number, None, f"{path}:{number}: not valid UTF-8 (byte {bad.start}); re-save the file as UTF-8",
                   raw_bytes.decode("utf-8", "replace").strip())
    return Row(number, None, f"{path}:{number}: malformed JSON ({exc}); each line must be one JSON object", text)


def dump_lines(objs) -> bytes:
    """JSONL bytes: one compact line per object, each ending in a newline."""
    return b"".join(orjson.dumps(obj, option=orjson.OPT_APPEND_NEWLINE) for obj in objs)


@contextlib.contextmanager
def atomic_writer(path: str | None, binary: bool = False) -> Iterator[IO]:
    """Write to ``path`` through a temporary file renamed into place on success; stdout if None.

    A crash, Ctrl-C or SIGTERM leaves the previous file untouched and no partial output behind;
    the temporary files a ``kill -9`` left go with the next successful write (``tempfiles``).
    """
    if path is None or path == "-":
        stream = sys.stdout.buffer if binary else sys.stdout
        yield stream
        stream.flush()
        return
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfiles.create(target)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # an ordinary file's permissions, not mkstemp's 0600
    except OSError as exc:
        raise InputError(f"{path}: cannot write here ({exc.strerror}); choose another -o path") from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8")) as out:
            yield out
        os.replace(tmp, target)
        tempfiles.remove_stale(target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{path}: write failed ({exc.strerror}); check free space and permissions") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
