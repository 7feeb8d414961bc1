"""The QLoRA recipe: LoRA on q/k/v/o with trl's SFTTrainer, optionally on a 4-bit base.

    python -m training.train --config training/configs/tiny-cpu.yaml [--set key=value ...] [--resume]
    accelerate launch --num_processes N -m training.train --config …      # data parallel (DDP)

Reads top to bottom: load the config, find the data, load the base (4-bit when asked), turn
the poems into prompt–completion pairs under the base's own chat template (the loss on the poem
only, the prompt exactly as ``poetbench run`` will send it), wrap the base in LoRA, train with
checkpoints, and score poems at every save (PoetBenchCallback). Writes to
``output_dir``: ``checkpoint-N/`` (adapter weights in safetensors, plus the callback's samples
and scores), ``metrics.csv`` (every logged value), TensorBoard logs (``report_to``) and
``train_manifest.json`` (config, versions, data manifest hash, base model id).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import yaml

from poetbench import numerics
from poetbench.checkpoints import step_of
from poetbench.console import quiet, replace_trainer_output
from poetbench.versions import package_versions

# Keys of our own; every other top-level key must be a field of trl's SFTConfig (GRPOConfig for
# training/grpo.py, whose own keys are GRPO_SECTIONS).
SECTIONS = {"model_name_or_path", "build_tiny", "data", "quantization", "lora", "poetbench_callback", "fused_lm_head",
            "reproducible_numerics"}
GRPO_SECTIONS = {"model_name_or_path", "sft_adapter", "data", "quantization", "rewards", "scorer", "poetbench_callback",
                 "reproducible_numerics"}


class ConfigError(Exception):
    """A config problem: the message names the key and the fix."""


def _value(text: str):
    """A --set value as YAML reads it, with numbers like 1e-4 read as numbers (YAML 1.1 wants 1.0e-4)."""
    value = yaml.safe_load(text)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            pass
    return value


def read_config(path: str, overrides: list[str]) -> dict:
    """The YAML config at ``path`` with ``--set`` overrides, unchecked (no torch loaded yet)."""
    try:
        config = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML ({exc})") from None
    for item in overrides:
        key, sep, value = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: write key=value (nested keys with dots, e.g. lora.r=16)")
        node, *path_keys = key.split(".")
        target = config
        for part in [node, *path_keys][:-1]:
            target = target.setdefault(part, {})
            if not isinstance(target, dict):
                raise ConfigError(f"--set {key}: {part} is not a section")
        target[key.split(".")[-1]] = _value(value)
    return config


def load_config(path: str, overrides: list[str], stage: str = "sft") -> dict:
    """The YAML config at ``path`` with ``--set`` overrides; every key not one of the stage's
    own sections must be a field of trl's SFTConfig (``stage="sft"``) or GRPOConfig ("grpo")."""
    config = read_config(path, overrides)
    if stage == "grpo":
        from trl import GRPOConfig as StageConfig

        sections = GRPO_SECTIONS
    else:
        from trl import SFTConfig as StageConfig

        sections = SECTIONS
    if config.get("assistant_only_loss"):
        raise ConfigError(f"{path}: assistant_only_loss needs {{% generation %}} markers in the chat template, and trl "
                          "swaps in a template of its own when they are missing; poetbench trains on prompt-completion "
                          "pairs instead: replace it with completion_only_loss: true")
    fields = set(StageConfig.__dataclass_fields__)
    for key in config:
        if key not in sections and key not in fields:
            raise ConfigError(f"{path}: unknown key {key!r} (not a poetbench section nor a {StageConfig.__name__} field)")
    if "output_dir" not in config:
        raise ConfigError(f"{path}: output_dir is missing")
    for key, meaning in (("fused_lm_head", "true (trl's fused LM head) or false (the model's own)"),
                         ("reproducible_numerics", "true (the same figures on every CPU) or false (this CPU's fastest)")):
        if not isinstance(config.get(key, True), bool):
            raise ConfigError(f"{path}: {key}: {config[key]!r}; write {meaning}")
    from training.tiny import PRETRAIN_ON

    pretrain_on = (config.get("build_tiny") or {}).get("pretrain_on", "prose")
    if pretrain_on not in PRETRAIN_ON:
        raise ConfigError(f"{path}: build_tiny.pretrain_on: {pretrain_on!r}; use one of {', '.join(PRETRAIN_ON)}")
    return config


def is_main_process() -> bool:
    return int(os.environ.get("RANK", "0")) == 0


def ensure_tiny_base(config: dict) -> None:
    """Build the tiny base model when the config asks for one that is not there yet."""
    base = Path(config["model_name_or_path"])
    if "build_tiny" not in config or (base / "config.json").exists():
        return
    if is_main_process():
        from training.tiny import build

        staging = base.with_name(base.name + f".building-{os.getpid()}")
        build(staging, **config["build_tiny"])
        staging.replace(base)
    else:  # the other DDP processes wait for the main one
        for _ in range(600):
            if (base / "config.json").exists():
                break
            time.sleep(0.5)


def training_rows(data: dict) -> tuple[list[dict], str]:
    """The training split's rows (at most ``max_examples``) and its manifest's hash."""
    from poetbench.data.discovery import find_corpus
    from poetbench.data.prepare import load_split, prepare_cached

    prepared = Path(data["prepared"]) if data.get("prepared") else prepare_cached(find_corpus(data.get("corpus")))
    manifest = prepared / "manifest.json"
    if not manifest.is_file():
        raise ConfigError(f"data.prepared: {prepared} has no manifest.json; run `poetbench data prepare -o {prepared}`")
    rows = load_split(prepared, "train")[: data.get("max_examples") or None]
    return rows, hashlib.sha256(manifest.read_bytes()).hexdigest()


def check_device(config: dict) -> None:
    """A 4-bit config that demands CUDA fails early, before any download or data work."""
    import torch

    quant = config.get("quantization") or {}
    if quant.get("load_in_4bit") and quant.get("require_cuda") and not torch.cuda.is_available():
        raise ConfigError("quantization.require_cuda: this config loads the base in 4-bit on a CUDA GPU and none "
                          "is available; use training/configs/tiny-cpu.yaml, or --set quantization.require_cuda=false "
                          "(bitsandbytes >= 0.50 runs 4-bit on the CPU, slowly), or --set quantization.load_in_4bit=false")


def load_base(config: dict):
    """Tokenizer and model, quantised to 4-bit NF4 when the config says so."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

    name = config["model_name_or_path"]
    try:
        tokenizer = AutoTokenizer.from_pretrained(name)
    except OSError as exc:
        raise ConfigError(f"model_name_or_path: cannot load {name!r} ({str(exc).splitlines()[0]}); without the model "
                          "hub, download it once elsewhere and point model_name_or_path at the folder") from None
    if not tokenizer.chat_template:
        raise ConfigError(f"model_name_or_path: {name!r} has no chat template; poetbench trains and evaluates a chat "
                          "model under its own template")
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    quant = config.get("quantization") or {}
    kwargs = {}
    if quant.get("load_in_4bit"):
        kwargs["quantization_config"] = BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type=quant.get("bnb_4bit_quant_type", "nf4"),
            bnb_4bit_use_double_quant=quant.get("bnb_4bit_use_double_quant", True),
            bnb_4bit_compute_dtype=getattr(torch, quant.get("bnb_4bit_compute_dtype", "bfloat16")))
    model = AutoModelForCausalLM.from_pretrained(name, **kwargs)
    if quant.get("load_in_4bit"):
        from peft import prepare_model_for_kbit_training

        checkpointing = config.get("activation_checkpointing", config.get("gradient_checkpointing", True))
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=bool(checkpointing))
        keep_4bit_trainable(model)
    return tokenizer, model


def keep_4bit_trainable(model) -> int:
    """Turn bitsandbytes' CPU inference packing off on every ``Linear4bit`` of a model that will
    be trained; returns how many layers were seen.

    On a CPU with AVX-512-BF16, a ``Linear4bit`` that runs in eval mode on an input without grad
    (a generation before or during training: the callback's, GRPO's) repacks its weight into an
    inference layout and keeps it; the next training forward then takes the inference path and
    fails (``result += bias`` on a leaf that requires grad: Qwen2's q/k/v have a bias). A layer
    already packed is unpacked. Generation-only loads (``poetbench run``) keep the fast path.
    """
    import bitsandbytes as bnb
    from bitsandbytes.functional import _convert_weight_packed_for_cpu_inverse

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    for layer in layers:
        layer.support_avx512bf16_for_cpu = False
        state = layer.weight.quant_state
        if state is not None and getattr(state, "packing_format_for_cpu", False):
            layer.weight.data, layer.weight.quant_state = _convert_weight_packed_for_cpu_inverse(layer.weight.data, state)
    return len(layers)


class MetricsCsv:
    """A TrainerCallback that appends every logged value to ``metrics.csv`` (step, name, value)."""

    def __init__(self, path: Path):
        from transformers import TrainerCallback

        self.path = path
        outer = self

        class _Callback(TrainerCallback):
            def on_log(self, args, state, control, logs=None, **kwargs):
                if state.is_world_process_zero and logs:
                    outer.write(state.global_step, logs)

        self.callback = _Callback()

    def write(self, step: int, logs: dict) -> None:
        new = not self.path.exists()
        with open(self.path, "a", newline="", encoding="utf-8") as stream:
            writer = csv.writer(stream)
            if new:
                writer.writerow(["step", "name", "value"])
            for name, value in logs.items():
                if isinstance(value, (int, float)):
                    writer.writerow([step, name, value])


def logging_callbacks(config: dict, output_dir: Path, first: tuple = ()) -> tuple[list, object]:
    """``first``, then metrics.csv, then PoetBenchCallback when the config asks for it (returned
    too: the recipe hands it the trainer, so its figures go through ``trainer.log``)."""
    from poetbench.integrations import PoetBenchCallback

    callbacks = [*first, MetricsCsv(output_dir / "metrics.csv").callback]
    scorer_callback = None
    if config.get("poetbench_callback"):
        scorer_callback = PoetBenchCallback(**config["poetbench_callback"])
        callbacks.append(scorer_callback)
    return callbacks, scorer_callback


def sft_trainer_class(fused_lm_head: bool = True):
    """trl's SFTTrainer, or with ``fused_lm_head: false`` one whose loss is the model's own.

    trl projects the completion through a fused LM head, in tiles, for the per-token
    log-probabilities, entropy and top-1 without the full logits. Its compact path needs Triton:
    on a CPU the tiles are half of the tiny model's LoRA step (``python bench/sft_head.py``).
    The model's own head gives the same loss up to float rounding; trl's ``entropy`` and
    ``mean_token_accuracy`` log columns go with the fused head.
    """
    from transformers import Trainer
    from trl import SFTTrainer

    if fused_lm_head:
        return SFTTrainer

    class ModelHeadSFTTrainer(SFTTrainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            return Trainer.compute_loss(self, model, inputs, return_outputs=return_outputs,
                                        num_items_in_batch=num_items_in_batch)

    return ModelHeadSFTTrainer


def versions() -> dict:
    return package_versions(("poetbench", "torch", "transformers", "peft", "trl", "bitsandbytes", "accelerate"))


def last_checkpoint(output_dir: Path) -> str | None:
    checkpoints = sorted((p for p in Path(output_dir).glob("checkpoint-*") if step_of(p) is not None), key=step_of)
    return str(checkpoints[-1]) if checkpoints else None


def train(config: dict, resume: bool = False) -> dict:
    import datasets
    from peft import LoraConfig
    from trl import SFTConfig

    from poetbench.sft import to_messages, to_prompt_completion, turn_closing

    output_dir = Path(config["output_dir"])
    check_device(config)
    ensure_tiny_base(config)
    rows, data_hash = training_rows(config.get("data") or {})
    seed = config.get("seed", 0)
    tokenizer, model = load_base(config)
    # The model's own template, as `poetbench run` uses it; the loss on the completion only.
    closing = turn_closing(tokenizer)
    dataset = datasets.Dataset.from_list([to_prompt_completion(to_messages(row, seed=seed), closing) for row in rows])
    lora = config.get("lora") or {}
    peft_config = LoraConfig(r=lora.get("r", 8), lora_alpha=lora.get("lora_alpha", 16),
                             lora_dropout=lora.get("lora_dropout", 0.05),
                             target_modules=lora.get("target_modules", ["q_proj", "k_proj", "v_proj", "o_proj"]),
                             task_type="CAUSAL_LM")
    args = SFTConfig(**{k: v for k, v in config.items() if k not in SECTIONS})
    callbacks, scorer_callback = logging_callbacks(config, output_dir)
    trainer_class = sft_trainer_class(config.get("fused_lm_head", True))
    trainer = trainer_class(model=model, args=args, train_dataset=dataset, processing_class=tokenizer,
                            peft_config=peft_config, callbacks=callbacks)
    replace_trainer_output(trainer, "LoRA (SFT)")
    if scorer_callback:
        scorer_callback.trainer = trainer
    manifest = {"config": config, "base_model": config["model_name_or_path"], "data_manifest_sha256": data_hash,
                "examples": len(dataset), "world_size": int(os.environ.get("WORLD_SIZE", "1")),
                "versions": versions(), "numerics": numerics.current(), "started": time.strftime("%Y-%m-%dT%H:%M:%S")}
    if is_main_process():
        output_dir.mkdir(parents=True, exist_ok=True)
        (output_dir / "train_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                        encoding="utf-8")
    checkpoint = last_checkpoint(output_dir) if resume else None
    result = trainer.train(resume_from_checkpoint=checkpoint)
    step = trainer.state.global_step
    if not (output_dir / f"checkpoint-{step}").exists():  # the last steps, when save_steps does not divide max_steps
        trainer.save_model(str(output_dir / f"checkpoint-{step}"))
    if is_main_process():
        manifest.update(finished=time.strftime("%Y-%m-%dT%H:%M:%S"), global_step=step,
                        train_loss=result.training_loss, resumed_from=checkpoint)
        (output_dir / "train_manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                                        encoding="utf-8")
    return manifest


def command(argv: list[str] | None, description: str, stage: str, train_fn, example: str) -> int:
    """The command line of a training stage (train.py, grpo.py): --config, --set, --resume; a
    config or input problem is one line on stderr and exit 2."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--config", required=True, help="a YAML file in training/configs/")
    parser.add_argument("--set", action="extend", nargs="+", default=[], metavar="KEY=VALUE",
                        help=f"override a config key (nested with dots: {example}); repeatable")
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint in output_dir")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the libraries' warnings and log lines")
    args = parser.parse_args(argv)
    quiet(args.verbose)
    from poetbench.jsonl import InputError

    try:
        raw = read_config(args.config, args.set)
        if raw.get("use_cpu"):  # before torch loads (load_config reads trl's fields)
            numerics.pin_if_wanted(raw.get("reproducible_numerics", True),
                                   log=lambda line: print(f"training: {line}", file=sys.stderr))
        manifest = train_fn(load_config(args.config, args.set, stage=stage), resume=args.resume)
    except (ConfigError, InputError) as exc:
        print(f"training: error: {exc}", file=sys.stderr)
        return 2
    if is_main_process():
        print(f"done: {manifest['global_step']} {stage.upper()} steps, train loss {manifest['train_loss']:.4f} "
              f"-> {manifest['config']['output_dir']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    return command(argv, "Fine-tune with LoRA/QLoRA and score poems at every checkpoint.", "sft", train, "lora.r=16")


if __name__ == "__main__":
    sys.exit(main())
