"""GRPO after SFT: poetbench's rewards on an SFT checkpoint, with trl's GRPOTrainer.

    python -m training.grpo --config training/configs/tiny-grpo.yaml [--set key=value ...] [--resume]

Reads top to bottom: load the config, load the base (4-bit when asked) and the SFT checkpoint's
LoRA adapter as trainable (GRPO goes on training the same LoRA weights, under the same chat
template), turn training-split poems into the requests SFT taught (``poetbench.sft.to_request``:
never an eval set's prompts), build the rewards from the config's weights
(``poetbench.rewards``), train with checkpoints, and score poems at every save
(PoetBenchCallback), as SFT does. Writes to ``output_dir``: ``checkpoint-N/`` (the adapter,
loadable by ``poetbench run`` like an SFT checkpoint), ``metrics.csv`` (every logged value:
``rewards/NAME/mean`` for each reward part, ``poetbench/*`` for the eval metrics at saves,
``rewards/time_share``), TensorBoard logs and ``train_manifest.json`` (config, base, SFT
adapter, rewards, versions, and the time spent in rewards).

A reward that only counts meter can be met by verse that scans and means nothing; keep
``fluency`` and ``coherence`` in the weights, and compare the run against the SFT checkpoint
with ``poetbench run`` + ``report``: the report flags a checkpoint whose meter rises while
fluency or coherence falls (``poetbench.compare.reward_hacking``).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from poetbench import numerics
from poetbench.console import replace_trainer_output
from training import train as recipe
from training.train import (
    GRPO_SECTIONS,
    ConfigError,
    is_main_process,
    last_checkpoint,
    load_base,
    logging_callbacks,
    training_rows,
    versions,
)


def prompt_rows(rows: list[dict], seed: int) -> list[dict]:
    """GRPO's dataset: each poem's request as chat messages (``prompt``), with the eval-set fields
    the rewards read (``kind``, ``form``, ``given``) as columns of their own."""
    from poetbench.sft import SYSTEM, to_request

    out = []
    for row in rows:
        request = to_request(row, seed=seed)
        out.append({"prompt": [{"role": "system", "content": SYSTEM}, {"role": "user", "content": request["prompt"]}],
                    "kind": request["kind"], "form": request["form"], "given": request["given"]})
    return out


def check_adapter(config: dict) -> str:
    """The SFT adapter's folder, checked before any data or model work."""
    adapter = config.get("sft_adapter")
    if not adapter or not (Path(adapter) / "adapter_config.json").is_file():
        raise ConfigError(f"sft_adapter: {adapter!r} is not a LoRA checkpoint (no adapter_config.json); point it at an "
                          "SFT checkpoint-N of training/train.py")
    return adapter


def load_policy(config: dict):
    """The tokenizer, and the base with the SFT adapter attached and trainable."""
    from peft import PeftModel

    adapter = check_adapter(config)
    tokenizer, base = load_base(config)
    try:
        model = PeftModel.from_pretrained(base, adapter, is_trainable=True)
    except (RuntimeError, ValueError) as exc:  # shapes that do not match: an adapter of another base
        raise ConfigError(f"sft_adapter: {adapter} does not fit {config['model_name_or_path']} "
                          f"({str(exc).splitlines()[0][:200]}); use the base it was trained on") from None
    return tokenizer, model


def reward_time_callback(scorer):
    """A callback that adds to each log the seconds spent in rewards since the last one, and
    their share of the training step (trl's ``step_time``: generation, rewards and update)."""
    from transformers import TrainerCallback

    class RewardTime(TrainerCallback):
        def __init__(self):
            self.seconds, self.step = 0.0, 0

        def on_log(self, args, state, control, logs=None, **kwargs):
            if logs is None or "step_time" not in logs:
                return
            steps = max(state.global_step - self.step, 1)
            spent = scorer.seconds - self.seconds
            logs["rewards/seconds_per_step"] = spent / steps
            logs["rewards/time_share"] = spent / steps / logs["step_time"] if logs["step_time"] else 0.0
            self.seconds, self.step = scorer.seconds, state.global_step

    return RewardTime()


def train(config: dict, resume: bool = False, log=print) -> dict:
    import datasets
    from trl import GRPOConfig, GRPOTrainer

    from poetbench.rewards import RewardScorer, parse_weights, reward_functions

    output_dir = Path(config["output_dir"])
    seed = config.get("seed", 0)
    parse_weights(config.get("rewards") or {})  # the cheap checks first: rewards, then the adapter
    check_adapter(config)
    scorer = RewardScorer(**(config.get("scorer") or {}))
    rewards, weights = reward_functions(config.get("rewards") or {}, scorer)
    rows, data_hash = training_rows(config.get("data") or {})
    dataset = datasets.Dataset.from_list(prompt_rows(rows, seed))
    tokenizer, model = load_policy(config)
    args = GRPOConfig(**{k: v for k, v in config.items() if k not in GRPO_SECTIONS}, reward_weights=weights)
    # the reward timer first, so that metrics.csv gets its figures
    callbacks, scorer_callback = logging_callbacks(config, output_dir, first=(reward_time_callback(scorer),))
    trainer = GRPOTrainer(model=model, reward_funcs=rewards, args=args, train_dataset=dataset,
                          processing_class=tokenizer, callbacks=callbacks)
    replace_trainer_output(trainer, "GRPO")
    if scorer_callback:
        scorer_callback.trainer = trainer
    manifest = {"config": config, "stage": "grpo", "base_model": config["model_name_or_path"],
                "sft_adapter": config["sft_adapter"], "rewards": dict(zip([r.__name__ for r in rewards], weights)),
                "scorer_signature": scorer.scorer.signature, "data_manifest_sha256": data_hash,
                "prompts": len(dataset), "versions": versions(), "numerics": numerics.current(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if is_main_process():
        output_dir.mkdir(parents=True, exist_ok=True)
        _write_manifest(output_dir, manifest)
    checkpoint = last_checkpoint(output_dir) if resume else None
    started = time.perf_counter()
    result = trainer.train(resume_from_checkpoint=checkpoint)
    seconds = time.perf_counter() - started
    step = trainer.state.global_step
    if not (output_dir / f"checkpoint-{step}").exists():  # the last steps, when save_steps does not divide max_steps
        trainer.save_model(str(output_dir / f"checkpoint-{step}"))
    if is_main_process():
        manifest.update(finished=time.strftime("%Y-%m-%dT%H:%M:%S"), global_step=step, train_loss=result.training_loss,
                        resumed_from=checkpoint, train_seconds=round(seconds, 2),
                        reward_seconds=round(scorer.seconds, 3), reward_share=round(scorer.seconds / seconds, 5))
        _write_manifest(output_dir, manifest)
        log(f"rewards: {scorer.seconds:.2f} s of {seconds:.1f} s of GRPO training ({100 * scorer.seconds / seconds:.2f}%)")
    return manifest


def _write_manifest(output_dir: Path, manifest: dict) -> None:
    (output_dir / "train_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                    encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    return recipe.command(argv, "GRPO after SFT: train an SFT checkpoint's LoRA adapter on poetbench's rewards, scoring poems "
                         "at every checkpoint.", "grpo", train, "rewards.tone=2")


if __name__ == "__main__":
    sys.exit(main())
