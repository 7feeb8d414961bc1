"""Scoring speed against the peer checker, as ratios (targets in the README).

    python bench/score_speed.py [--corpus DIR] [-n N]

In one run, on the same N Tang poems (default: all of 全唐诗):

1. the peer in process: ``pingshui_rhyme.PoemStructureChecker`` — ``check_poem_rhyming`` then
   ``check_poem_pingze_meter`` (two checks that stop at the first failure);
2. poetbench core in process: ``Scorer(core_only=True).score_many`` — form, 平仄 and rhyme with
   every rule — 1,000 poems a call;
3. poetbench full in process: every metric on, the copy metrics against 全唐诗 itself;
4. the ``poetbench score`` CLI end to end, start-up included: as it runs by default (every
   metric but the copy metrics, which need ``--reference``), and with ``--reference 全唐诗``.

Targets: (2) at least 2x (1); (3) and the default CLI at least 1x (1).

Each in-process figure is the best of ``--repeat`` passes (default 3) over all the poems, after
one warm-up pass on the first 2,000 (imports, table loads, CPU caches), for both tools alike.
The passes take turns (peer, core, full, peer, core, full, ...), so that a slow spell of a
shared machine slows every tool alike instead of one.
Each CLI figure is the better of two runs of a fresh process (start-up and table loads included
every time; the second run finds the tables in the disk cache, as every run after the first does).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pass_rates import load_tang  # noqa: E402
from peer import peer_checker  # noqa: E402

from poetbench.data.discovery import find_corpus  # noqa: E402
from poetbench.scoring import Scorer  # noqa: E402


def best_rates(runs: dict, poems: list[str], repeat: int) -> dict[str, float]:
    """Poems per second of each ``run(poems)``: best of ``repeat`` passes taken in turns, after
    a short warm-up of each."""
    for run in runs.values():
        run(poems[:2000])
    best = dict.fromkeys(runs, 0.0)
    for _ in range(repeat):
        for name, run in runs.items():
            started = time.perf_counter()
            run(poems)
            best[name] = max(best[name], len(poems) / (time.perf_counter() - started))
    return best


def run_ours(poems: list[str], scorer: Scorer, batch: int = 1000) -> None:
    for start in range(0, len(poems), batch):
        scorer.score_many(poems[start:start + batch])


def run_peer(poems: list[str], checker=None) -> int:
    checker = checker or peer_checker()
    crashes = 0
    for text in poems:
        try:
            checker.check_poem_rhyming(text)
            checker.check_poem_pingze_meter(text)
        except Exception:  # the peer raises IndexError on some uneven poems
            crashes += 1
    return crashes


def time_cli(poems: list[str], reference: Path | None, runs: int = 2) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        src, out = Path(tmp) / "poems.jsonl", Path(tmp) / "scored.jsonl"
        src.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in poems), encoding="utf-8")
        extra = ["--reference", str(reference)] if reference else []
        best = 0.0
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "poetbench", "score", str(src), "-o", str(out), *extra],
                           check=True, stderr=subprocess.DEVNULL)
            best = max(best, len(poems) / (time.perf_counter() - started))
        return best


def main() -> None:
    parser = argparse.ArgumentParser(description="Scoring speed against the peer checker.")
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("-n", type=int, default=0, help="number of poems (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="passes per in-process figure (best is kept)")
    args = parser.parse_args()
    args.corpus = find_corpus(args.corpus)
    poems = load_tang(args.corpus)
    if args.n:
        poems = poems[: args.n]
    checker = peer_checker()
    crashes = run_peer(poems, checker)
    core, full = Scorer(core_only=True), Scorer(reference=str(args.corpus))
    rates = best_rates({"peer": lambda p: run_peer(p, checker), "core": lambda p: run_ours(p, core),
                        "full": lambda p: run_ours(p, full)}, poems, args.repeat)
    peer, ours_core, ours_full = rates["peer"], rates["core"], rates["full"]
    cli = time_cli(poems, None)
    cli_reference = time_cli(poems, args.corpus)
    print(f"poems                      {len(poems)}")
    print(f"peer in process            {peer:9.0f} poems/s  (two early-exit checks; {crashes} crashed)")
    print(f"poetbench core, in process {ours_core:9.0f} poems/s  (form, 平仄, rhyme: every rule)")
    print(f"poetbench full, in process {ours_full:9.0f} poems/s  (every metric, copy index of 全唐诗)")
    print(f"poetbench score CLI        {cli:9.0f} poems/s  (end to end, start-up included)")
    print(f"  ... --reference 全唐诗      {cli_reference:9.0f} poems/s  (every metric)")
    print(f"ratio core / peer          {ours_core / peer:9.2f}x  (target >= 2)")
    print(f"ratio full / peer          {ours_full / peer:9.2f}x  (target >= 1)")
    print(f"ratio CLI / peer           {cli / peer:9.2f}x  (target >= 1)")
    print(f"ratio CLI --reference/peer {cli_reference / peer:9.2f}x")


if __name__ == "__main__":
    main()
