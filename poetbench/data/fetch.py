"""``poetbench data fetch``: the full chinese-poetry corpus from the npm registry.

``npm pack chinese-poetry@2.0.1`` downloads the package tarball; it is checked against the
integrity hash the registry publishes for that version (pinned below) and unpacked. A tarball
downloaded by hand can be put in the destination folder instead: it is checked and unpacked
the same way.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

from poetbench.data.discovery import PACKAGE, VERSION, fetch_root
from poetbench.jsonl import InputError

# Published by the npm registry for chinese-poetry@2.0.1 (`npm view chinese-poetry@2.0.1 dist.integrity`).
INTEGRITY = "sha512-KtYARvV7CWNtax0na9+Jn6PlhGgSoid7PWyDzXI4KsCEm2odZcqEQyval5koaLygZnM/EQ3lfJ//25K8p3uHNg=="
TARBALL = f"{PACKAGE}-{VERSION}.tgz"


def integrity_of(path: Path) -> str:
    """The npm-style Subresource Integrity string (sha512, base64) of a file."""
    digest = hashlib.sha512()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def fetch(dest: Path | None = None, spec: str = f"{PACKAGE}@{VERSION}", integrity: str | None = INTEGRITY,
          npm: str = "npm") -> Path:
    """Download (unless the tarball is already in ``dest``), verify and unpack the corpus.

    Returns the corpus root (``…/package/dist``). ``integrity`` None trusts what npm reports,
    for packing a local directory.
    """
    root = fetch_root(dest)
    folder = root.parents[1]  # …/chinese-poetry-2.0.1
    folder.parent.mkdir(parents=True, exist_ok=True)
    tarball = folder.parent / TARBALL
    if not tarball.exists():
        tarball, reported = _npm_pack(spec, folder.parent, npm)
        integrity = integrity or reported
    if integrity and integrity_of(tarball) != integrity:
        raise InputError(f"{tarball}: integrity check failed (expected {integrity[:24]}…); "
                         "delete the file and fetch again")
    _unpack(tarball, folder)
    if not root.is_dir():
        raise InputError(f"{tarball}: no package/dist inside; is it the chinese-poetry package?")
    return root


def _npm_pack(spec: str, where: Path, npm: str) -> tuple[Path, str]:
    manual = (f"or download {TARBALL} from the npm registry by hand and put it at {where / TARBALL}, "
              "then run `poetbench data fetch` again")
    if shutil.which(npm) is None:
        raise InputError(f"npm not found: install Node.js (it brings npm), {manual}")
    try:
        done = subprocess.run([npm, "pack", spec, "--json", "--pack-destination", str(where)],
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        raise InputError(f"npm pack {spec} timed out: the registry could not be reached; {manual}") from None
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["unknown error"])[-1]
        raise InputError(f"npm pack {spec} failed ({reason}); check the network, {manual}")
    info = json.loads(done.stdout)[0]
    produced = where / info["filename"]
    target = where / TARBALL
    if produced != target:
        produced.replace(target)
    return target, info.get("integrity", "")


def _unpack(tarball: Path, folder: Path) -> None:
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise InputError(f"{tarball}: cannot unpack ({exc}); delete it and fetch again") from None
    shutil.rmtree(folder, ignore_errors=True)
    staging.replace(folder)
