"""Write tests/data/expected_scores.jsonl: the scores of fixed poems, with their signature.

    python tests/data/make_expected.py

Run it on purpose after a change that alters scores — and bump the version (signature) with it:
tests/test_signature.py fails when scores change while the signature stays the same.
"""

import json
from pathlib import Path

from poetbench.audit.poems import CHAT_WRAPPERS, REGULATED, VERNACULAR, forced_into_lines
from poetbench.scoring import Scorer

HERE = Path(__file__).resolve().parent

OUT = HERE / "expected_scores.jsonl"


def fixed_texts() -> list[str]:
    poems = [text for _, text in REGULATED.values()]
    return (poems + VERNACULAR[:5] + [forced_into_lines(v) for v in VERNACULAR[5:10]]
            + [w.format(poems[k % len(poems)]) for k, w in enumerate(CHAT_WRAPPERS)]
            + ["", "😀 hello", "春风春风春风春，春风春风春风春。春风春风春风春，春风春风春风春。"])


def rows(scorer: Scorer) -> list[dict]:
    return [{"text": t, "signature": scorer.signature, "scores": r} for t, r in zip(fixed_texts(), scorer.score_many(fixed_texts()))]


if __name__ == "__main__":
    with open(OUT, "w", encoding="utf-8") as out:
        for row in rows(Scorer()):
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"wrote {OUT}")
