"""Write eval_sets/smoke-v1.jsonl and the content hashes in eval_sets/sets.json.

    python tools/make_eval_sets.py [--corpus DIR]

smoke-v1 is materialised whole from the project's own prompts (prompts-v1.json). core-v1 is
built from the shared corpus prepared with the defaults (seed 0, --heldout 0.05, the four
regulated forms) and only its hash is recorded; so is ci-v1 (词, from the held-out Song ci). Run it on purpose: a new hash means a new
version of the set.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from poetbench import evalsets
from poetbench.data.discovery import find_corpus
from poetbench.data.prepare import prepare

EVAL_SETS = Path(__file__).resolve().parents[1] / "eval_sets"


def smoke_rows() -> list[dict]:
    rows = evalsets.written_prompts("smoke-v1", topic=5, form=60, free=2)
    topic = [r for r in rows if r["kind"] == "topic"]
    form = [r for r in rows if r["kind"] == "form"]
    picked_forms = [form[k * 15 + k] for k in range(4)] + [form[20]]  # each form once, then one more
    return topic + picked_forms + [r for r in rows if r["kind"] == "free"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    args = parser.parse_args()
    args.corpus = find_corpus(args.corpus)
    smoke = evalsets.validate(smoke_rows(), "smoke-v1")
    for k, row in enumerate(smoke):
        row["id"] = f"smoke-v1/{row['kind']}-{k:02d}"
    (EVAL_SETS / "smoke-v1.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in smoke), encoding="utf-8")
    sets = {
        "smoke-v1": {"description": "12 prompts (5 topic, 5 form, 2 free) for tests and the demo; no corpus needed",
                     "file": "smoke-v1.jsonl", "content_hash": evalsets.content_hash(smoke)},
        "core-v1": {"description": "200 prompts: 60 continuation from held-out regulated poems, 60 topic, 60 form, 20 free",
                    "counts": {"continuation": 60, "topic": 60, "form": 60, "free": 20},
                    "continuation": {"forms": ["wujue", "qijue", "wulv", "qilv"], "seed": 0,
                                     "rule": "per form, the first 15 held-out poems by sha256(f'{seed}:{id}')"},
                    "defined_on": "chinese-poetry (../shared/data subset of chinese-poetry@2.0.1), "
                                  "`poetbench data prepare` defaults: seed 0, --heldout 0.05, forms wujue,qijue,wulv,qilv",
                    "content_hash": None},
        "ci-v1": {"description": "90 词 prompts over the 30 commonest tunes: 60 a tune and a topic, 30 continuation "
                                 "from held-out Song ci",
                  "counts": {"form": 60, "continuation": 30},
                  "ci": {"tunes": 30, "forms_per_tune": 2, "seed": 0, "heldout": 0.05,
                         "rule": "the 词谱's 30 commonest tunes; per tune 2 prompts with a topic of prompts-v1.json, and "
                                 "the first held-out ci of one of its forms by sha256(f'{seed}:{id}')"},
                  "defined_on": "chinese-poetry (../shared/data subset of chinese-poetry@2.0.1), songci/ "
                                "(data.prepare.ci_split: seed 0, held-out share 0.05) and the 词谱 cipu=v1",
                  "content_hash": None},
    }
    (EVAL_SETS / "sets.json").write_text(json.dumps(sets, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    with tempfile.TemporaryDirectory() as tmp:
        prepare(f"chinese-poetry:{args.corpus}", Path(tmp))
        sets["core-v1"]["content_hash"] = evalsets.content_hash(evalsets.build("core-v1", Path(tmp), verify=False))
    sets["ci-v1"]["content_hash"] = evalsets.content_hash(evalsets.build("ci-v1", args.corpus, verify=False))
    (EVAL_SETS / "sets.json").write_text(json.dumps(sets, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v["content_hash"] for k, v in sets.items()}, indent=2))


if __name__ == "__main__":
    main()
