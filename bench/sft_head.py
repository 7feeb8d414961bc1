"""The LoRA step on the tiny model, on the CPU: trl's fused LM head against the model's own, as a ratio.

    python bench/sft_head.py [--steps 40] [--base runs/tiny-base]

Trains ``training/configs/tiny-cpu.yaml`` twice for ``--steps`` LoRA steps from the same base,
once with ``fused_lm_head: true`` (trl's tiled head: per-token log-probabilities, entropy and
top-1, whose compact path needs Triton) and once with ``false`` (the model's own head and loss,
the tiny config's setting). Prints seconds per step from trl's ``train_runtime`` (the training
loop alone), their ratio, and the two training losses, which must agree up to float rounding.
Without ``--base`` it builds a tiny base that is not pre-trained (the same cost per step).
"""

from __future__ import annotations

import argparse
import csv
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CONFIG = HERE.parent / "training" / "configs" / "tiny-cpu.yaml"


def logged(run: Path, name: str) -> float:
    with open(run / "metrics.csv", encoding="utf-8") as stream:
        return [float(row["value"]) for row in csv.DictReader(stream) if row["name"] == name][-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--base", type=Path, help="a tiny base to train from (default: build one, not pre-trained)")
    args = parser.parse_args()

    from poetbench.console import quiet
    from training import tiny
    from training.train import load_config, train

    quiet()
    with tempfile.TemporaryDirectory() as tmp:
        base = args.base or tiny.build(Path(tmp) / "base")
        results = {}
        for fused in (True, False):
            out = Path(tmp) / f"fused-{fused}"
            config = load_config(str(CONFIG), [f"model_name_or_path={base}", f"output_dir={out}", f"fused_lm_head={fused}",
                                               f"max_steps={args.steps}", f"logging_steps={args.steps}",
                                               f"save_steps={args.steps}", "report_to=[]", "poetbench_callback=null"])
            train(config)
            results[fused] = logged(out, "train_runtime") / args.steps, logged(out, "train_loss")
    (fused_step, fused_loss), (own_step, own_loss) = results[True], results[False]
    print(f"LoRA step, {args.steps} steps of tiny-cpu.yaml on the CPU")
    print(f"  trl's fused LM head   {fused_step:.3f} s/step   train loss {fused_loss:.6f}")
    print(f"  the model's own head  {own_step:.3f} s/step   train loss {own_loss:.6f}")
    print(f"  ratio fused / own     {fused_step / own_step:.2f}x   loss difference {abs(fused_loss - own_loss) / fused_loss:.1e} (relative)")


if __name__ == "__main__":
    main()
