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

The five take turns, ``--rounds`` rounds (default 5) of one pass each over all the poems, after
one warm-up pass of each on the first 2,000 (imports, table loads, the CLI's disk cache, CPU
caches). A CLI pass is a fresh process, start-up and table loads included. The rates printed are
the best pass of each; each ratio is the median over the rounds of that round's ratio, so that
the two sides of a ratio are timed within seconds of each other (the speed of a shared machine
drifts from minute to minute), with the lowest and highest round beside it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pass_rates import load_tang  # bench/, the script's own folder

from poetbench.audit.peer import peer_checker
from poetbench.data.discovery import find_corpus
from poetbench.scoring import Scorer


def rounds(runs: dict, poems: list[str], count: int) -> dict[str, list[float]]:
    """Poems per second of each ``run(poems)`` in each of ``count`` rounds, the runs taking
    turns, after a warm-up of each on the first 2,000 poems."""
    for run in runs.values():
        run(poems[:2000])
    rates: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(count):
        for name, run in runs.items():
            started = time.perf_counter()
            run(poems)
            rates[name].append(len(poems) / (time.perf_counter() - started))
    return rates


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


def cli_runner(tmp: Path, poems: list[str], reference: Path | None):
    """A run of the ``poetbench score`` CLI on ``poems`` (or on its first 2,000, to warm up),
    from files written once beforehand."""
    sources = {}
    for size in (min(2000, len(poems)), len(poems)):
        sources[size] = tmp / f"poems-{size}.jsonl"
        sources[size].write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in poems[:size]),
                                 encoding="utf-8")
    extra = ["--reference", str(reference)] if reference else []

    def run(batch: list[str]) -> None:
        subprocess.run([sys.executable, "-m", "poetbench", "score", str(sources[len(batch)]), "-o",
                        str(tmp / "scored.jsonl"), *extra], check=True, stderr=subprocess.DEVNULL)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description="Scoring speed against the peer checker.")
    parser.add_argument("--corpus", type=Path, help="chinese-poetry directory (default: corpus discovery)")
    parser.add_argument("-n", type=int, default=0, help="number of poems (default: all)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of one pass each (default 5)")
    args = parser.parse_args()
    args.corpus = find_corpus(args.corpus)
    poems = load_tang(args.corpus)
    if args.n:
        poems = poems[: args.n]
    checker = peer_checker()
    crashes = run_peer(poems, checker)
    core, full = Scorer(core_only=True), Scorer(reference=str(args.corpus))
    with tempfile.TemporaryDirectory() as tmp:
        rates = rounds({"peer": lambda p: run_peer(p, checker), "core": lambda p: run_ours(p, core),
                        "full": lambda p: run_ours(p, full), "cli": cli_runner(Path(tmp), poems, None),
                        "cli_reference": cli_runner(Path(tmp), poems, args.corpus)}, poems, args.rounds)
    best = {name: max(values) for name, values in rates.items()}

    def ratio(name: str, label: str, target: str = "") -> None:
        each = sorted(ours / peer for ours, peer in zip(rates[name], rates["peer"]))
        spread = f"(rounds {each[0]:.2f}-{each[-1]:.2f}{'; target >= ' + target if target else ''})"
        print(f"ratio {label:21s}{statistics.median(each):9.2f}x  {spread}")

    print(f"poems                      {len(poems)}")
    print(f"peer in process            {best['peer']:9.0f} poems/s  (two early-exit checks; {crashes} crashed)")
    print(f"poetbench core, in process {best['core']:9.0f} poems/s  (form, 平仄, rhyme: every rule)")
    print(f"poetbench full, in process {best['full']:9.0f} poems/s  (every metric, copy index of 全唐诗)")
    print(f"poetbench score CLI        {best['cli']:9.0f} poems/s  (end to end, start-up included)")
    print(f"  ... --reference 全唐诗      {best['cli_reference']:9.0f} poems/s  (every metric)")
    ratio("core", "core / peer", "2")
    ratio("full", "full / peer", "1")
    ratio("cli", "CLI / peer", "1")
    ratio("cli_reference", "CLI --reference/peer")


if __name__ == "__main__":
    main()
