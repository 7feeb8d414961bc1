"""Temporary files beside the file they will replace, and what becomes of them.

Rules:

* A file is written to a temporary file in the same folder and renamed over its target when
  complete (an atomic replace), so a reader never sees half a file.
* The temporary file's name says whose it is and for what: ``.TARGET.RANDOM.PID.poetbench-tmp``.
* On an error, Ctrl-C or SIGTERM it is removed (``poetbench`` turns SIGTERM into an exception
  with ``terminate_on_sigterm``, so the same cleanup runs).
* ``kill -9`` leaves it behind; the next successful write of the same target removes every
  such file whose process is gone.
"""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

SUFFIX = ".poetbench-tmp"


class Terminated(SystemExit):
    """SIGTERM, raised where the program was so that cleanup code runs."""

    def __init__(self):
        super().__init__(128 + signal.SIGTERM)


def _raise_terminated(signum, frame):
    raise Terminated()


def terminate_on_sigterm() -> None:
    """From now on SIGTERM raises Terminated in the main thread (call it from the main thread)."""
    signal.signal(signal.SIGTERM, _raise_terminated)


def quiet_worker() -> None:
    """For a forked worker process: ignore SIGTERM and Ctrl-C, which go to the parent, and let
    the parent stop the workers once the chunk they are on is done. A worker killed while it
    sends its result leaves half a message in the pipe, and the parent waiting for the rest."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def create(target: Path) -> tuple[int, str]:
    """A new temporary file for ``target``, in its folder: (open descriptor, path)."""
    return tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".{os.getpid()}{SUFFIX}", dir=target.parent)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def remove_stale(target: Path) -> list[Path]:
    """Remove the temporary files of ``target`` left by processes that are gone (or by an
    earlier process with this one's id); call it after ``target`` was replaced. Returns them."""
    removed = []
    for path in target.parent.glob(f".{target.name}.*{SUFFIX}"):
        pid = path.name[: -len(SUFFIX)].rpartition(".")[2]
        if pid.isdigit() and (int(pid) == os.getpid() or not _alive(int(pid))):
            try:
                path.unlink()
                removed.append(path)
            except OSError:
                pass
    return removed
