"""Corpus discovery, shared by every command that needs a corpus (prepare, evalset build,
training, demo).

In order: the path given on the command line (``--source``/``--corpus``), ``$POETBENCH_CORPUS``,
``../shared/data/chinese-poetry`` (beside the working directory or beside this checkout), then
the cache of ``poetbench data fetch``. When none exists: one message saying how to get it.
"""

from __future__ import annotations

import os
from pathlib import Path

from poetbench.cache import cache_dir
from poetbench.jsonl import InputError

PACKAGE = "chinese-poetry"
VERSION = "2.0.1"
SHARED = Path("shared") / "data" / "chinese-poetry"


def fetch_root(dest: Path | None = None) -> Path:
    """Where ``data fetch`` unpacks the corpus (its ``package/dist`` holds the layout)."""
    return Path(dest or cache_dir() / "corpus") / f"{PACKAGE}-{VERSION}" / "package" / "dist"


def candidates() -> list[Path]:
    out = []
    if os.environ.get("POETBENCH_CORPUS"):
        out.append(Path(os.environ["POETBENCH_CORPUS"]))
    out.append(Path.cwd().parent / SHARED)
    out.append(Path(__file__).resolve().parents[3] / SHARED)  # a checkout's ../shared
    out.append(fetch_root())
    return out


def find_corpus(explicit: str | Path | None = None) -> Path:
    """The corpus directory (or tarball) to use; raises InputError with the way to get one."""
    if explicit:
        path = Path(explicit)
        if not path.exists():
            raise InputError(f"{path}: no such corpus; give a chinese-poetry directory or .tgz")
        return path
    for path in candidates():
        if path.exists():
            return path
    raise InputError(
        "no corpus found: run `poetbench data fetch` (needs npm), or set POETBENCH_CORPUS to a "
        "chinese-poetry directory (`npm pack chinese-poetry@2.0.1 && tar xzf chinese-poetry-2.0.1.tgz` "
        "gives one in package/dist), or pass --corpus/--source")
