"""Shared fixtures: the scorers, and Tang poems from ../shared/data when it is there.

The material that ``bench/`` measures with too (fixture poems, chat wrappers, the peer checker)
is in ``poetbench.audit``; tests import it from there, and tests/ itself through pytest's
``pythonpath`` (pyproject.toml), never ``bench/`` or ``tools/``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("POETBENCH_CORPUS", REPO.parent / "shared" / "data" / "chinese-poetry"))
# Reports built by the tests (and the demos they run) carry no font: subsetting one costs seconds a
# report. The tests of the font itself and of the page as a user sees it take this away (`with_font`).
os.environ.setdefault("POETBENCH_REPORT_FONT", "none")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """In CI (``CI=true``) a skip is a failure unless it is for want of a GPU: .ci/run installs
    everything else a test needs (Chromium, a CJK font, npm comes with the machine)."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = str(report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr)
        if "GPU" not in reason:
            report.outcome = "failed"
            report.longrepr = f"skipped in CI, where nothing may be missing: {reason}"


@pytest.fixture
def with_font(monkeypatch):
    """The report embeds the machine's CJK font, as it does outside the tests."""
    if os.environ.get("POETBENCH_REPORT_FONT") == "none":
        monkeypatch.delenv("POETBENCH_REPORT_FONT")


@lru_cache(maxsize=None)
def tang_poems() -> tuple[str, ...]:
    """Every 全唐诗 poem as one string (Traditional, as the corpus has it)."""
    from poetbench.data.chinese_poetry import tang_texts

    return tuple(tang_texts(CORPUS))


@pytest.fixture(scope="session")
def tang():
    if not (CORPUS / "quantangshi").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: put chinese-poetry there or set POETBENCH_CORPUS")
    return tang_poems()


@pytest.fixture(scope="session")
def scorer():
    from poetbench.scoring import Scorer

    return Scorer()


@pytest.fixture(scope="session")
def strict_scorer():
    from poetbench.scoring import Scorer

    return Scorer(strict=True)


@pytest.fixture(scope="session")
def xinyun_scorer():
    from poetbench.scoring import Scorer

    return Scorer(book="xinyun")


@pytest.fixture(scope="session")
def prepared_split():
    """The default ``data prepare`` split of the corpus (prepared once into the cache)."""
    if not (CORPUS / "quantangshi").is_dir():
        pytest.skip(f"corpus not found at {CORPUS}: put chinese-poetry there or set POETBENCH_CORPUS")
    from poetbench.data.prepare import prepare_cached

    return prepare_cached(CORPUS)
