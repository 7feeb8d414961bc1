"""A small on-disk cache for tables that take a while to build (the rhyme books).

Entries are pickles under ``$POETBENCH_CACHE`` (default ``~/.cache/poetbench``), keyed by a
hash of what they were built from: poetbench's version, the source of the modules that build
them, and the versions of the packages whose data they read. A change to any of these builds
a fresh entry. Writes are atomic; an unwritable or corrupt cache is ignored, never fatal.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")


def cache_dir() -> Path:
    return Path(os.environ.get("POETBENCH_CACHE") or Path.home() / ".cache" / "poetbench")


def fingerprint(sources: list[Path], packages: list[str]) -> str:
    """A short hash of source files' contents and installed package versions."""
    from poetbench import __version__

    digest = hashlib.sha256(__version__.encode())
    for path in sorted(sources):
        digest.update(path.read_bytes())
    for package in packages:
        digest.update(f"{package}={metadata.version(package)}".encode())
    return digest.hexdigest()[:16]


def cached(name: str, key: str, build: Callable[[], T]) -> T:
    """``build()``, or its result stored under ``name`` and ``key`` by an earlier call."""
    path = cache_dir() / f"{name}-{key}.pickle"
    try:
        with open(path, "rb") as stream:
            return pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError):
        pass
    value = build()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        for stale in path.parent.glob(f"{name}-*.pickle"):  # entries of older versions
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:  # a read-only home or a full disk: work without the cache
        try:
            Path(tmp).unlink(missing_ok=True)
        except (NameError, OSError):
            pass
    return value
