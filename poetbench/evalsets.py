"""Versioned eval sets: load, build, hash and validate.

An eval set is a list of prompts, one JSON object each (the schema, ``FIELDS``):

=========  ==========================================================================
id         unique within the set, e.g. ``core-v1/topic-03``
kind       continuation, topic, form or free
prompt     the user request, made with the templates of ``poetbench.sft``
form       the requested form (a key of ``poetbench/forms.py``: wujue, qijue, …), a 词牌 of the
           词谱 (``如梦令``: a 词 to that tune), or null
keywords   what a topic prompt is about (adherence looks for them), or []
ref_id     the corpus id of the poem a continuation starts from, or null
given      the given first line of a continuation (Simplified), or null
=========  ==========================================================================

``eval_sets/sets.json`` names the shipped sets with their content hash: ``smoke-v1`` (12 topic,
form and free prompts, committed whole, no corpus needed) and ``core-v1`` (200 prompts: 60
continuation prompts drawn from the held-out split, and 60 topic, 60 form and 20 free prompts
from ``eval_sets/prompts-v1.json``), built from a prepared corpus and checked against the hash.
``ci-v1`` (90 prompts, 词) asks for the 30 commonest tunes of the 词谱: for each, two prompts
with a tune and a topic, and one continuation of a held-out Song ci (``data.prepare.ci_split``).
The hash is sha256 over the rows as canonical JSON lines: a changed prompt changes it. A user's
own set is a JSONL file with the same fields.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from poetbench import cipu, sft
from poetbench.forms import FORMS, QUATRAINS_AND_OCTAVES
from poetbench.jsonl import InputError, read_rows
from poetbench.text.lines import split_lines

FIELDS = ("id", "kind", "prompt", "form", "keywords", "ref_id", "given")
KINDS = sft.KINDS


def eval_dir() -> Path:
    """``$POETBENCH_EVAL_SETS``, else the shipped sets: ``poetbench/eval_sets``, a link to the
    repository's ``eval_sets/`` that a wheel carries as package data."""
    return Path(os.environ.get("POETBENCH_EVAL_SETS") or Path(__file__).resolve().parent / "eval_sets")


def registry() -> dict:
    path = eval_dir() / "sets.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the eval-set registry ({exc})") from None


def content_hash(rows: list[dict]) -> str:
    """sha256 over the rows as canonical JSON lines (sorted keys, compact, UTF-8)."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(json.dumps(row, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode())
        digest.update(b"\n")
    return digest.hexdigest()


def validate(rows: list[dict], where: str) -> list[dict]:
    """Check rows against the schema; the first problem is an InputError naming file and line."""
    seen = set()
    for number, row in enumerate(rows, start=1):
        place = f"{where}:{number}"
        if not isinstance(row, dict):
            raise InputError(f"{place}: expected a JSON object with {', '.join(FIELDS)}")
        missing = [f for f in ("id", "kind", "prompt") if not row.get(f)]
        if missing:
            raise InputError(f"{place}: missing {', '.join(missing)}")
        if row["id"] in seen:
            raise InputError(f"{place}: duplicate id {row['id']!r}")
        seen.add(row["id"])
        if row["kind"] not in KINDS:
            raise InputError(f"{place}: kind {row['kind']!r} is not one of {', '.join(KINDS)}")
        if row.get("form") is not None and row["form"] not in FORMS and not _is_tune(row["form"]):
            raise InputError(f"{place}: form {row['form']!r} is not one of {', '.join(FORMS)}, a 词牌 of the 词谱 "
                             "(如梦令 …) or null")
        keywords = row.get("keywords", [])
        if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
            raise InputError(f"{place}: keywords must be a list of strings")
        for field in ("prompt", "ref_id", "given"):
            if row.get(field) is not None and not isinstance(row[field], str):
                raise InputError(f"{place}: {field} must be text or null")
        if row["kind"] == "continuation" and not row.get("given"):
            raise InputError(f"{place}: a continuation prompt needs 'given', its first line")
    return [{field: row.get(field, [] if field == "keywords" else None) for field in FIELDS} for row in rows]


def _is_tune(name) -> bool:
    found = cipu.tune(name) if isinstance(name, str) else None
    return found is not None and found.name == name


def ci_prompts(name: str, corpus: Path, rule: dict) -> list[dict]:
    """A 词 set's rows (module docstring): per tune, ``rule["forms_per_tune"]`` prompts with a
    topic, then one continuation of the first held-out ci of the tune by sha256(f'{seed}:{id}')."""
    from poetbench.data.prepare import ci_split

    tunes = list(cipu.tunes())[:rule["tunes"]]
    topics = _prompts_data()["topics"]
    held = ci_split(corpus, rule["seed"], rule["heldout"])["heldout"]
    rows = []
    for k, tune in enumerate(tunes):
        for j in range(rule["forms_per_tune"]):
            title, _ = topics[(k * rule["forms_per_tune"] + j) % len(topics)]
            rows.append({"id": f"{name}/form-{len(rows):02d}", "kind": "form",
                         "prompt": sft.prompt_text("form", j, title=title, tune=tune), "form": tune,
                         "keywords": [], "ref_id": None, "given": None})
    lengths = {tune: {f.length for f in cipu.tunes()[tune].forms} for tune in tunes}
    for k, tune in enumerate(tunes):
        candidates = [r for r in held if r["tune"] == tune and sum(map(len, split_lines(r["text"]))) in lengths[tune]]
        if not candidates:
            raise InputError(f"eval set {name}: no held-out ci of {tune} in this corpus; it is defined on the 全宋词 "
                             "of chinese-poetry 2.0.1 (songci/)")
        chosen = min(candidates, key=lambda r: hashlib.sha256(f"{rule['seed']}:{r['id']}".encode()).hexdigest())
        first = split_lines(chosen["text"])[0]
        rows.append({"id": f"{name}/continuation-{k:02d}", "kind": "continuation",
                     "prompt": sft.prompt_text("continuation", k, first=first, tune=tune), "form": tune,
                     "keywords": [], "ref_id": chosen["id"], "given": first})
    return rows


def corpus_root(corpus: str | Path | None) -> Path:
    """The raw corpus behind ``corpus``: a ``data prepare`` directory's source, the corpus named,
    or the one discovery finds."""
    from poetbench.data.discovery import find_corpus

    manifest = Path(corpus) / "manifest.json" if corpus else None
    if manifest is not None and manifest.is_file():
        source = json.loads(manifest.read_text(encoding="utf-8")).get("source", "")
        if source.startswith("chinese-poetry:"):
            return Path(source.split(":", 1)[1])
    return find_corpus(corpus)


def read_jsonl(path: Path) -> list[dict]:
    rows = []
    for row in read_rows(str(path)):
        if row.error:
            raise InputError(row.error)
        rows.append(row.data)
    return validate(rows, str(path))


def _prompts_data() -> dict:
    return json.loads((eval_dir() / "prompts-v1.json").read_text(encoding="utf-8"))


def written_prompts(name: str, topic: int, form: int, free: int) -> list[dict]:
    """The prompts the project writes itself: topic, form and free (prompts-v1.json)."""
    data = _prompts_data()
    rows = []
    topics = [(title, keywords, variant) for variant in (0, 1) for title, keywords in data["topics"]]
    for k, (title, keywords, variant) in enumerate(topics[:topic]):
        rows.append({"id": f"{name}/topic-{k:02d}", "kind": "topic", "prompt": sft.prompt_text("topic", variant, title=title),
                     "form": None, "keywords": keywords, "ref_id": None, "given": None})
    pairs = [(title, f) for f in QUATRAINS_AND_OCTAVES for title in data["titles"]]
    for k, (title, f) in enumerate(pairs[:form]):
        rows.append({"id": f"{name}/form-{k:02d}", "kind": "form", "prompt": sft.prompt_text("form", k, title=title, form=f),
                     "form": f, "keywords": [], "ref_id": None, "given": None})
    for k, text in enumerate(data["free"][:free]):
        rows.append({"id": f"{name}/free-{k:02d}", "kind": "free", "prompt": text,
                     "form": None, "keywords": [], "ref_id": None, "given": None})
    return rows


def continuation_prompts(name: str, heldout: list[dict], count: int, forms: list[str], seed: int) -> list[dict]:
    """``count`` continuation prompts from held-out poems, spread evenly over ``forms``."""
    def order(row: dict) -> str:
        return hashlib.sha256(f"{seed}:{row['id']}".encode()).hexdigest()

    rows, per_form = [], count // len(forms)
    for form in forms:
        chosen = sorted((r for r in heldout if r["form"] == form), key=order)[:per_form]
        if len(chosen) < per_form:
            raise InputError(f"only {len(chosen)} held-out {form} poems, {per_form} needed: prepare with a larger --heldout")
        for row in chosen:
            first = split_lines(row["text_simp"])[0]
            rows.append({"id": f"{name}/continuation-{len(rows):02d}", "kind": "continuation",
                         "prompt": sft.prompt_text("continuation", len(rows), first=first, form=form),
                         "form": form, "keywords": [], "ref_id": row["id"], "given": first})
    return rows


def build(name: str, prepared: Path | None = None, verify: bool = True) -> list[dict]:
    """The rows of a registered set; ``prepared`` is a ``data prepare`` directory (sets that
    draw from the held-out split need it). Checks the content hash unless ``verify`` is False."""
    sets = registry()
    if name not in sets:
        path = Path(name)
        if path.suffix == ".jsonl" and path.is_file():
            return read_jsonl(path)
        raise InputError(f"eval set {name!r} not found: use one of {', '.join(sets)} or a .jsonl file "
                         f"(see `poetbench evalset list`)")
    spec = sets[name]
    if "file" in spec:
        rows = read_jsonl(eval_dir() / spec["file"])
    elif "ci" in spec:
        rows = validate(ci_prompts(name, corpus_root(prepared), spec["ci"]), name)
    else:
        counts = spec["counts"]
        rows = []
        if counts.get("continuation"):
            if prepared is None:
                raise InputError(f"eval set {name} draws from a held-out split: give --corpus DIR "
                                 "(a directory written by `poetbench data prepare`)")
            from poetbench.data.prepare import load_split

            rule = spec["continuation"]
            rows = continuation_prompts(name, load_split(prepared, "heldout"), counts["continuation"],
                                        rule["forms"], rule["seed"])
        rows += written_prompts(name, counts.get("topic", 0), counts.get("form", 0), counts.get("free", 0))
        rows = validate(rows, name)
    actual = content_hash(rows)
    if verify and spec.get("content_hash") and actual != spec["content_hash"]:
        raise InputError(f"eval set {name}: content hash {actual[:12]} differs from the registered "
                         f"{spec['content_hash'][:12]}; the corpus or its split differs from the one the set was "
                         "defined on (prepare the same corpus with the default seed and --heldout), or pass --no-verify")
    return rows


def load(name: str, corpus: str | Path | None = None, verify: bool = True) -> list[dict]:
    """The rows of an eval set, building it on demand: what ``poetbench run`` calls.

    ``corpus`` is a ``data prepare`` directory or a raw corpus (prepared with the defaults into
    the cache); without it, corpus discovery finds one — for sets that draw from held-out poems.
    """
    spec = registry().get(name, {})
    if "ci" in spec:
        return build(name, corpus_root(corpus), verify=verify)
    if not spec.get("counts", {}).get("continuation"):
        return build(name, verify=verify)
    from poetbench.data.prepare import prepared_split

    return build(name, prepared_split(corpus), verify=verify)
