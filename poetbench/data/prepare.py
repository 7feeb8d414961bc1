"""``poetbench data prepare``: a corpus into a deduplicated, leakage-free train / held-out split.

* Rows come from a source (``sources.py``); bad rows are counted by reason: ``malformed``,
  ``empty``, ``not_chinese`` (fewer than half of the visible characters are Han).
* ``--forms`` keeps the poems of those forms (``poetbench/forms.py``; by default 绝句 and 律诗,
  ``QUATRAINS_AND_OCTAVES``); the rest are counted.
* Duplicates are found on normalised text: Simplified script (OpenCC), punctuation and spacing
  dropped. The first occurrence is kept.
* The split is decided by a hash of (seed, id): a poem is held out when the hash, read as a
  number in [0, 1), is below ``--heldout``. The same corpus, seed and fraction give the same split.
* No line of a held-out poem may appear in train: a train poem sharing a normalised line with
  any held-out poem is removed, and the count of such poems and lines is reported.

**词** (``ci_split``): the 全宋词 ci of the 词谱's tunes, without lacunae, split by the same hash
of (seed, id), the id being the corpus file and the ci's place in it (``songci/ci.song.0.json#12``).
The held-out ci are what the eval set ``ci-v1`` continues. ``--ci`` puts the ci into the split
beside the poems (``form`` ``ci``, ``tune`` the 词谱's name; a chinese-poetry corpus only), under
the same rules: deduplicated, held out by the same hash, and no train row sharing a line with a
held-out one; SFT then asks for each by its tune (``sft.py``).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from poetbench import __version__
from poetbench.data import sources
from poetbench.forms import CI, FORMS, QUATRAINS_AND_OCTAVES, detect
from poetbench.jsonl import InputError, atomic_writer, dump_lines, read_rows
from poetbench.text.lines import han_count, split_lines
from poetbench.text.script import to_simplified

MANIFEST_VERSION = 1


def held_out(poem_id: str, seed: int, fraction: float) -> bool:
    digest = hashlib.sha256(f"{seed}:{poem_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64 < fraction


def song_ci(corpus: Path) -> list[dict]:
    """The Song ci of the 词谱's tunes, without lacunae, as rows ``{id, tune, author, text}`` in
    corpus order (module docstring)."""
    from poetbench import cipu
    from poetbench.data.chinese_poetry import iter_ci

    rows, places = [], Counter()
    for ci in iter_ci(corpus):
        place = places[ci["file"]]
        places[ci["file"]] += 1
        text = "".join(ci.get("paragraphs") or [])
        found = cipu.tune(cipu.corpus_name(ci.get("rhythmic") or ""))
        if found is None or "□" in text or not split_lines(text):
            continue
        rows.append({"id": f"{ci['file']}#{place}", "tune": found.name, "author": ci.get("author"), "text": text})
    return rows


def ci_split(corpus: Path, seed: int = 0, fraction: float = 0.05) -> dict[str, list[dict]]:
    """``song_ci`` as ``train`` and ``heldout`` rows, by the hash of (seed, id)."""
    out: dict[str, list[dict]] = {"train": [], "heldout": []}
    for row in song_ci(corpus):
        out["heldout" if held_out(row["id"], seed, fraction) else "train"].append(row)
    return out


def ci_rows(corpus: Path) -> list[dict]:
    """The Song ci of the 词谱's tunes as split rows (``form`` ``ci``, ``tune``, the tune as title)."""
    return [{"id": r["id"], "title": r["tune"], "author": r["author"], "text": r["text"],
             "text_simp": to_simplified(r["text"]), "lines": split_lines(r["text"]), "form": CI, "tune": r["tune"],
             "source": "chinese-poetry songci"} for r in song_ci(corpus)]


def normalised_lines(text_simp: str) -> list[str]:
    return split_lines(text_simp)


def prepare(source: str, out_dir: Path, forms: tuple[str, ...] | None = QUATRAINS_AND_OCTAVES, heldout: float = 0.05,
            seed: int = 0, text_column: str = sources.KAGGLE_TEXT, ci: bool = False) -> dict:
    """Write ``train.jsonl``, ``heldout.jsonl`` and ``manifest.json`` to ``out_dir``; return the
    manifest. ``ci`` adds the Song ci of the 词谱's tunes (module docstring)."""
    for form in forms or ():
        if form not in FORMS:
            raise InputError(f"--forms: unknown form {form!r}; use some of {', '.join(FORMS)}")
    if not 0 < heldout < 1:
        raise InputError(f"--heldout {heldout}: give a fraction between 0 and 1, such as 0.05")
    kind, path = sources.parse(source)
    if ci and kind != "chinese-poetry":
        raise InputError(f"--ci: {source} is not a chinese-poetry corpus; the 全宋词 ci come from its songci/ "
                         "(give --source chinese-poetry:PATH)")
    counts = Counter()
    bad, filtered = Counter(), Counter()
    seen: set[str] = set()
    kept = []
    for row in sources.rows(kind, path, text_column):
        counts["read"] += 1
        if isinstance(row, sources.BadRow):
            bad[row.reason] += 1
            continue
        text = row["text"]
        visible = len("".join(text.split()))
        if not visible:
            bad["empty"] += 1
            continue
        if han_count(text) * 2 < visible:
            bad["not_chinese"] += 1
            continue
        lines = split_lines(text)
        form = detect([len(line) for line in lines])
        if forms and form not in forms:
            filtered[form] += 1
            continue
        text_simp = to_simplified(text)
        simp_lines = normalised_lines(text_simp)
        key = "".join(simp_lines)
        if key in seen:
            counts["duplicates"] += 1
            continue
        seen.add(key)
        kept.append(({"id": row["id"], "title": row["title"], "author": row["author"], "text": text,
                      "text_simp": text_simp, "lines": lines, "form": form, "source": row["source"]}, simp_lines))

    for row in (ci_rows(Path(path)) if ci else []):
        counts["read"] += 1
        simp_lines = normalised_lines(row["text_simp"])
        key = "".join(simp_lines)
        if key in seen:
            counts["duplicates"] += 1
            continue
        seen.add(key)
        kept.append((row, simp_lines))

    is_heldout = [held_out(r["id"], seed, heldout) for r, _ in kept]
    heldout_rows = [r for (r, _), h in zip(kept, is_heldout) if h]
    heldout_lines = {line for (_, simp_lines), h in zip(kept, is_heldout) if h for line in simp_lines}
    train_rows = []
    for (r, simp_lines), h in zip(kept, is_heldout):
        if h:
            continue
        shared = [line for line in simp_lines if line in heldout_lines]
        if shared:  # train keeps no poem that shares a line with a held-out one
            counts["train_removed_for_leakage"] += 1
            counts["train_lines_shared_with_heldout"] += len(shared)
            continue
        train_rows.append(r)

    manifest = {
        "manifest_version": MANIFEST_VERSION,
        "created_by": f"poetbench {__version__}",
        "source": source,
        "source_kind": kind,
        "source_hash": sources.content_hash(kind, path),
        "split": {"seed": seed, "heldout_fraction": heldout, "rule": "sha256(f'{seed}:{id}')[:8] / 2**64 < fraction"},
        "filters": {"forms": list(forms) if forms else None, "ci": ci, "dedup": "Simplified, punctuation and spacing dropped"},
        "counts": {
            "read": counts["read"],
            "bad": dict(sorted(bad.items())),
            "filtered_by_form": dict(sorted(filtered.items())),
            "duplicates": counts["duplicates"],
            "train": len(train_rows),
            "heldout": len(heldout_rows),
            "train_removed_for_leakage": counts["train_removed_for_leakage"],
            "train_lines_shared_with_heldout": counts["train_lines_shared_with_heldout"],
            "forms": dict(sorted(Counter(r["form"] for r in train_rows + heldout_rows).items())),
        },
    }
    out_dir = Path(out_dir)
    for name, rows in (("train.jsonl", train_rows), ("heldout.jsonl", heldout_rows)):
        with atomic_writer(str(out_dir / name), binary=True) as out:
            out.write(dump_lines(rows))
    with atomic_writer(str(out_dir / "manifest.json")) as out:
        out.write(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
    return manifest


def load_split(directory: Path, name: str) -> list[dict]:
    """Rows of ``train`` or ``heldout`` from a directory written by ``prepare``."""
    path = Path(directory) / f"{name}.jsonl"
    if not path.is_file():
        raise InputError(f"{path}: missing; run `poetbench data prepare -o {directory}` first")
    rows = []
    for row in read_rows(str(path)):
        if row.error:
            raise InputError(f"{row.error}; run `poetbench data prepare` again")
        rows.append(row.data)
    return rows


def prepared_split(corpus: str | None) -> Path:
    """``corpus`` when it is a ``data prepare`` directory; else the default split of the raw
    corpus it names (or that discovery finds), prepared once into the cache."""
    from poetbench.data.discovery import find_corpus

    if corpus and (Path(corpus) / "manifest.json").is_file():
        return Path(corpus)
    return prepare_cached(find_corpus(corpus))


def prepare_cached(corpus: Path) -> Path:
    """The default split of a corpus, prepared once into the cache (keyed by its content hash)."""
    from poetbench.cache import cache_dir

    kind, path = sources.parse(f"chinese-poetry:{corpus}")
    target = cache_dir() / "prepared" / sources.content_hash(kind, path)[:16]
    if not (target / "manifest.json").is_file():
        prepare(f"chinese-poetry:{corpus}", target)
    return target
