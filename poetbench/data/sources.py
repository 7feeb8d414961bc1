"""Corpus sources for ``data prepare``: ``chinese-poetry:PATH``, ``kaggle:FILE.csv``, ``jsonl:FILE``.

Each source yields raw rows ``{id, title, author, text, source}``, or a ``BadRow`` naming the
reason (``malformed``, ``empty``, ``not_chinese`` are decided later) and the place.
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from poetbench.data.chinese_poetry import iter_tang, tang_files
from poetbench.jsonl import InputError, read_rows

KINDS = ("chinese-poetry", "kaggle", "jsonl")
KAGGLE_TEXT = "Poem_Text"


@dataclass
class BadRow:
    reason: str
    where: str


def parse(source: str) -> tuple[str, Path]:
    """``KIND:PATH`` -> (kind, path); a bare directory or .tgz means chinese-poetry."""
    kind, sep, path = source.partition(":")
    if not sep or kind not in KINDS:
        bare = Path(source)
        if bare.is_dir() or source.endswith((".tgz", ".tar.gz")):
            return "chinese-poetry", bare
        raise InputError(f"--source {source!r}: use chinese-poetry:PATH, kaggle:FILE.csv or jsonl:FILE")
    if not Path(path).exists():
        raise InputError(f"{path}: no such file or directory (from --source {source})")
    return kind, Path(path)


def rows(kind: str, path: Path, text_column: str = KAGGLE_TEXT) -> Iterator[dict | BadRow]:
    if kind == "chinese-poetry":
        yield from _chinese_poetry(path)
    elif kind == "kaggle":
        yield from _kaggle(path, text_column)
    else:
        yield from _jsonl(path)


def content_hash(kind: str, path: Path) -> str:
    """sha256 over the source's files, in a fixed order."""
    digest = hashlib.sha256()
    files = tang_files(path) if kind == "chinese-poetry" and path.is_dir() else [path]
    for file in files:
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _chinese_poetry(path: Path) -> Iterator[dict | BadRow]:
    found = False
    for number, poem in enumerate(iter_tang(path)):
        found = True
        where = f"{poem.get('file')}#{number}"
        paragraphs = poem.get("paragraphs")
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            yield BadRow("malformed", where)
            continue
        yield {"id": str(poem.get("id") or where), "title": poem.get("title") or "", "author": poem.get("author") or "",
               "text": "".join(paragraphs), "source": poem.get("file")}
    if not found:
        raise InputError(f"{path}: no quantangshi/poet.tang.*.json found; is this a chinese-poetry directory?")


def _kaggle(path: Path, text_column: str) -> Iterator[dict | BadRow]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        reader = csv.DictReader(stream)
        if not reader.fieldnames or text_column not in reader.fieldnames:
            raise InputError(f"{path}: no {text_column!r} column (columns: {', '.join(reader.fieldnames or [])}); "
                             "name the text column with --text-column")
        for row in reader:
            line = reader.line_num
            text = row.get(text_column)
            if text is None or None in row:  # a short or long row
                yield BadRow("malformed", f"{path.name}:{line}")
                continue
            yield {"id": f"kaggle:{line}", "title": row.get("Title") or row.get("title") or "",
                   "author": row.get("Author") or row.get("author") or "", "text": text, "source": path.name}


def _jsonl(path: Path) -> Iterator[dict | BadRow]:
    for row in read_rows(str(path)):
        if row.error or not isinstance(row.data.get("text"), str):
            yield BadRow("malformed", f"{path.name}:{row.line}")
            continue
        line, data = row.line, row.data
        yield {"id": str(data.get("id") or f"{path.name}:{line}"), "title": data.get("title") or "",
               "author": data.get("author") or "", "text": data["text"], "source": path.name}
