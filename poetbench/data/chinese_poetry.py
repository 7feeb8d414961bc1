"""Read the chinese-poetry corpus layout (npm package ``chinese-poetry``, ``package/dist``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

TANG_GLOB = "quantangshi/poet.tang.*.json"
# Classical prose and early verse that ship with the corpus: (file, how to get its paragraphs).
CLASSICAL_PROSE = ("mengxue/guwenguanzhi.json", "lunyu/lunyu.json", "shijing/shijing.json")


def tang_files(root: Path) -> list[Path]:
    """The 全唐诗 files in their numeric order."""
    return sorted(Path(root).glob(TANG_GLOB), key=lambda p: int(p.stem.rsplit(".", 1)[-1]))


def iter_tang(root: Path) -> Iterator[dict]:
    """Every 全唐诗 poem: ``{author, title, paragraphs, id}``, in corpus order."""
    for path in tang_files(root):
        yield from json.loads(path.read_text(encoding="utf-8"))


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
