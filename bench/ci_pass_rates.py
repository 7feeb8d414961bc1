"""How real Song ci fare against the 词谱, against shuffled-character controls.

    python bench/ci_pass_rates.py [--corpus DIR] [--n 2000] [--seed 0]

A sample of the 全宋词 ci whose tune is in the 词谱 (no lacuna), each scored three ways: with its
tune as a title (《浣溪沙》…), bare (the tune read from the shape), and with its characters
shuffled (punctuation and title kept: the same shape, no verse). It prints, in lenient and strict
mode, the share with ``form_ok``, ``tone_ok``, ``rhyme_ok`` and both, the mean conformity and
rhyme rate, the median PoetScore, and for the bare ci how many were read as 词 and as their own
tune. The 词谱 was derived from these same ci, so the real figures are in-sample: they say how
well the rules describe what Song poets wrote, not how a model's 词 would fare.
"""

from __future__ import annotations

import argparse
import random
import statistics

from poetbench.data.prepare import song_ci
from poetbench.data.discovery import find_corpus
from poetbench.scoring import Scorer
from poetbench.text.lines import is_han


def sample(corpus, n: int, seed: int) -> list[tuple[str, str]]:
    """(tune, text) of ``n`` ci of the 词谱's tunes, without lacunae (``data.prepare.song_ci``)."""
    rows = [(row["tune"], row["text"]) for row in song_ci(corpus)]
    return random.Random(seed).sample(rows, min(n, len(rows)))


def shuffled(text: str, rng: random.Random) -> str:
    chars = [c for c in text if is_han(c)]
    rng.shuffle(chars)
    it = iter(chars)
    return "".join(next(it) if is_han(c) else c for c in text)


def rates(records: list[dict]) -> dict:
    def share(key):
        values = [r[key] for r in records if r[key] is not None]
        return sum(values) / len(values) if values else float("nan")

    both = [r["tone_ok"] and r["rhyme_ok"] for r in records if r["tone_ok"] is not None]
    return {"form_ok": share("form_ok"), "tone_ok": share("tone_ok"), "rhyme_ok": share("rhyme_ok"),
            "both": sum(both) / len(both), "conformity": share("tone_conformity"), "rhyme_rate": share("rhyme_rate"),
            "poetscore": statistics.median(r["poetscore"] or 0.0 for r in records)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus")
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = sample(find_corpus(args.corpus), args.n, args.seed)
    rng = random.Random(args.seed + 1)
    titled = [f"《{tune}》{text}" for tune, text in rows]
    controls = [f"《{tune}》{shuffled(text, rng)}" for tune, text in rows]
    print(f"{len(rows)} Song ci of the 词谱's tunes (seed {args.seed})")
    print(f"{'':28} {'form_ok':>8} {'tone_ok':>8} {'rhyme_ok':>8} {'both':>6} {'conform':>8} {'rhyme_rt':>8} {'PoetScore':>9}")
    for strict in (False, True):
        scorer = Scorer(strict=strict)
        for name, texts in (("real ci, titled", titled), ("shuffled characters", controls)):
            r = rates(scorer.score_many(texts))
            print(f"{name + (' (strict)' if strict else ''):28} {r['form_ok']:8.3f} {r['tone_ok']:8.3f} "
                  f"{r['rhyme_ok']:8.3f} {r['both']:6.3f} {r['conformity']:8.3f} {r['rhyme_rate']:8.3f} "
                  f"{r['poetscore']:9.1f}")
    bare = Scorer().score_many([text for _, text in rows])
    as_ci = sum(r["form"] == "ci" for r in bare) / len(bare)
    own = sum(r["cipai"] == tune for r, (tune, _) in zip(bare, rows)) / len(bare)
    print(f"bare (no title): read as 词 {as_ci:.3f}, as their own tune {own:.3f}")


if __name__ == "__main__":
    main()
