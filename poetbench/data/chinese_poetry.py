"""Read the chinese-poetry corpus layout: a directory (``../shared/data/chinese-poetry``, or the
npm package's ``package/dist``) or the npm tarball itself (``chinese-poetry-2.0.1.tgz``).

The one home of that layout: whatever reads the corpus's files reads them here. ``tang_texts``
is the 全唐诗 as text, one string a poem; ``iter_tang`` the poems with their fields; ``iter_ci``
the 全宋词 (``songci/``, Simplified), each ci with its 词牌 (``rhythmic``). It imports
nothing above the ground floor (``poetbench.jsonl``).
"""

from __future__ import annotations

import itertools
import json
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path

TANG_GLOB = "quantangshi/poet.tang.*.json"
_TANG_RE = re.compile(r"(?:^|/)quantangshi/poet\.tang\.(\d+)\.json$")
CI_GLOB = "songci/ci.song.*.json"
_CI_RE = re.compile(r"(?:^|/)songci/ci\.song\.(\d+)\.json$")  # not ci.song.2019y.json (3 ci, Traditional)
# Classical prose and early verse that ship with the corpus.
CLASSICAL_PROSE = ("mengxue/guwenguanzhi.json", "lunyu/lunyu.json", "shijing/shijing.json")


def tang_files(root: Path) -> list[Path]:
    """The 全唐诗 files of a corpus directory, in their numeric order."""
    return sorted(Path(root).glob(TANG_GLOB), key=lambda p: int(p.stem.rsplit(".", 1)[-1]))


def iter_tang(root: Path) -> Iterator[dict]:
    """Every 全唐诗 poem ``{author, title, paragraphs, id, file}``, in corpus order.

    ``root`` is a corpus directory or a .tgz of the npm package.
    """
    root = Path(root)
    if root.is_file():
        yield from _iter_tarball(root, _TANG_RE, "quantangshi")
        return
    for path in tang_files(root):
        for poem in _load(path.read_bytes(), path):
            yield {**poem, "file": f"quantangshi/{path.name}"}


def iter_ci(root: Path) -> Iterator[dict]:
    """Every 全宋词 ci ``{author, paragraphs, rhythmic, file}``, in corpus order (the numbered
    files only). ``root`` is a corpus directory or a .tgz of the npm package."""
    root = Path(root)
    if root.is_file():
        yield from _iter_tarball(root, _CI_RE, "songci")
        return
    numbered = [(int(m.group(1)), path) for path in Path(root).glob(CI_GLOB) if (m := _CI_RE.search(path.as_posix()))]
    for _, path in sorted(numbered):
        for ci in _load(path.read_bytes(), path):
            yield {**ci, "file": f"songci/{path.name}"}


def tang_texts(root: Path, limit: int | None = None) -> list[str]:
    """The text of every 全唐诗 poem (its ``paragraphs`` joined, Traditional as the corpus has
    it), in corpus order; the first ``limit`` poems only when given."""
    return ["".join(poem["paragraphs"]) for poem in itertools.islice(iter_tang(root), limit)]


def _iter_tarball(path: Path, pattern: re.Pattern, folder: str) -> Iterator[dict]:
    with tarfile.open(path, "r:*") as archive:
        members = [(int(m.group(1)), member) for member in archive.getmembers()
                   if member.isfile() and (m := pattern.search(member.name))]
        for _, member in sorted(members, key=lambda pair: pair[0]):
            name = member.name.rsplit("/", 1)[-1]
            for poem in _load(archive.extractfile(member).read(), f"{path}:{member.name}"):
                yield {**poem, "file": f"{folder}/{name}"}


def _load(data: bytes, where) -> list[dict]:
    try:
        poems = json.loads(data)
    except ValueError as exc:
        from poetbench.jsonl import InputError

        raise InputError(f"{where}: malformed JSON ({exc}); the corpus file is damaged, fetch it again") from None
    return poems if isinstance(poems, list) else []


def iter_prose(root: Path) -> Iterator[str]:
    """The paragraphs of the classical prose and 诗经 files that are present."""
    for name in CLASSICAL_PROSE:
        path = Path(root) / name
        if path.is_file():
            yield from _paragraphs(json.loads(path.read_text(encoding="utf-8")))


def _paragraphs(node) -> Iterator[str]:
    """Strings under ``paragraphs`` or ``content`` keys, at any depth."""
    if isinstance(node, list):
        for item in node:
            yield from _paragraphs(item)
    elif isinstance(node, dict):
        for key in ("paragraphs", "content"):
            value = node.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                yield from value
            elif value is not None:
                yield from _paragraphs(value)
