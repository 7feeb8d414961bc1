"""Report build time at scale: 10 labels x 1,000 samples (target: under 30 seconds here).

    python bench/report_speed.py [--labels 10] [--prompts 1000]

The report is built twice: without the CJK font, and with it (its subset holds every character of
the 10,000 poems, the worst case; a demo report holds about 500).

Makes an eval set of N topic prompts and, per label, N outputs (Tang poems from the corpus when
it is there, else the canonical poems of poetbench/audit/poems.py, shuffled differently per label); runs
them through the file backend, scores them, and times `compare` + `report` (plots, the A/B viewer
data for every sample, the HTML).
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=int, default=10)
    parser.add_argument("--prompts", type=int, default=1000)
    args = parser.parse_args()
    from pass_rates import load_tang  # bench/, the script's own folder

    from poetbench.audit.poems import REGULATED
    from poetbench.jsonl import InputError
    from poetbench.report import build
    from poetbench.runner import Run, RunSettings

    try:
        poems = load_tang(every=7)
    except InputError:  # no corpus: the test fixtures' poems
        poems = [t for _, t in REGULATED.values()]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        prompts = [{"id": f"p{k:04d}", "kind": ("topic", "form", "free")[k % 3], "prompt": f"以《题{k}》为题写一首诗。",
                    "form": None, "keywords": ["春"], "ref_id": None, "given": None} for k in range(args.prompts)]
        (root / "set.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in prompts), encoding="utf-8")
        spec = []
        for label in range(args.labels):
            rng = random.Random(label)
            outputs = root / f"l{label}.jsonl"
            outputs.write_text("".join(json.dumps({"prompt_id": p["id"], "output": rng.choice(poems)}, ensure_ascii=False)
                                       + "\n" for p in prompts), encoding="utf-8")
            spec.append(f"l{label}={outputs}")
        run = Run(RunSettings(checkpoints=",".join(spec), eval_set=str(root / "set.jsonl"), output=str(root / "run"),
                              backend="file", batch_size=1000))
        started = time.perf_counter()
        run.generate(progress=False)
        run.score()
        scored = time.perf_counter() - started
        started = time.perf_counter()
        html = build(root / "run", root / "bare", embed_font=False)
        bare = time.perf_counter() - started
        bare_size = html.stat().st_size
        started = time.perf_counter()
        html = build(root / "run")
        built = time.perf_counter() - started
        size = html.stat().st_size
    print(f"labels x samples        {args.labels} x {args.prompts}")
    print(f"generate (file) + score {scored:6.1f} s")
    print(f"compare + report        {bare:6.1f} s  without the font (index.html {bare_size / 1e6:.1f} MB)")
    print(f"compare + report        {built:6.1f} s  with the CJK font subset (target < 30 s; index.html {size / 1e6:.1f} MB; "
          f"the font {built / bare:.1f}x the time)")


if __name__ == "__main__":
    main()
