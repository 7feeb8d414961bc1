"""The file backend: outputs produced elsewhere, one JSONL file per label.

``--backend file --checkpoints label=outputs.jsonl,…``: each file holds ``prompt_id`` and
``output`` (and optionally ``sample_index``) for the prompts of the eval set. A prompt without
an output is recorded as missing and reported, never silently skipped.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from poetbench.jsonl import InputError


@lru_cache(maxsize=16)
def read_outputs(path: str) -> dict[tuple[str, int], str]:
    out = {}
    with open(path, encoding="utf-8", newline="\n") as stream:  # lines end at \n only
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                key = (str(row["prompt_id"]), int(row.get("sample_index", 0)))
                if not isinstance(row["output"], str):
                    raise TypeError
            except (ValueError, KeyError, TypeError):
                raise InputError(f"{path}:{number}: expected {{\"prompt_id\": …, \"output\": \"…\"}}") from None
            out[key] = row["output"]
    return out


class FileBackend:
    def generate(self, checkpoint, items, gen_kwargs, seed) -> list[dict]:
        outputs = read_outputs(str(Path(checkpoint.path)))
        return [{"output": outputs.get((p["id"], k)), "seconds": 0.0, "missing": (p["id"], k) not in outputs}
                for p, k in items]


def from_settings(settings, checkpoints) -> FileBackend:
    """The backend ``--backend file`` names (``generation/__init__.py``)."""
    return FileBackend()
