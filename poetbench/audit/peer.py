"""The peer checker, ``pingshui_rhyme.PoemStructureChecker``, importable where setuptools no
longer ships ``pkg_resources`` (the peer only calls ``resource_filename`` on its data file).
``bench/pass_rates.py``, ``bench/score_speed.py`` and ``tests/test_validation.py`` compare
against it."""

from __future__ import annotations

import importlib.resources
import sys
import types


def peer_checker():
    try:
        import pkg_resources  # noqa: F401
    except ImportError:
        shim = types.ModuleType("pkg_resources")
        shim.resource_filename = lambda package, name: str(importlib.resources.files(package.rpartition(".")[0]) / name)
        sys.modules["pkg_resources"] = shim
    from pingshui_rhyme import PoemStructureChecker

    return PoemStructureChecker()


def peer_meter_ok(checker, text: str) -> bool:
    """The peer's 平仄 verdict (``check_poem_pingze_meter``); a crash counts as a fail."""
    try:
        return bool(checker.check_poem_pingze_meter(text)[0])
    except Exception:  # it raises IndexError on some uneven poems
        return False
