"""What the console shows while poetbench works: one progress bar per long stage, and no library noise.

Rules:

- A long stage (pre-training the tiny base, LoRA, GRPO, generating one label, scoring a run) shows one
  bar on stderr with the stage's name and an ETA (``bar``). stdout keeps the results (tables,
  verdicts), so it can be piped. Bars appear on a terminal only; logs and CI output stay clean.
- A training bar carries the last logged loss (``TrainingBar``); the Trainer's own bar and its
  printed ``{'loss': …}`` dicts are removed. Every logged value still goes to ``metrics.csv``.
- Known-harmless library messages are filtered (``HARMLESS``, each with the reason it is harmless),
  and the libraries' own progress bars (weight loading, dataset mapping) are turned off. ``-v``
  (``quiet(verbose=True)``) lets all of it through.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings

# (category, message pattern, why it is harmless)
HARMLESS = (
    (FutureWarning, r"`gradient_checkpointing` is deprecated",
     "transformers 5 renamed the argument to activation_checkpointing; trl still passes the old name, "
     "which means the same thing until transformers 6"),
    (FutureWarning, r"`is_gradient_checkpointing` is deprecated",
     "the same rename, read by peft while wrapping the model"),
    (DeprecationWarning, r"`torch.jit.script_method` is deprecated",
     "raised while a library imports; poetbench never scripts a model"),
)
# Loggers whose warnings are harmless here: bitsandbytes asks for the optional `kernels` package for a
# faster CPU 4-bit matmul and falls back to its own, which gives the same results.
HARMLESS_LOGGERS = ("bitsandbytes",)
# Environment switches read by the libraries when they are imported: their own progress bars off.
LIBRARY_SWITCHES = {"HF_HUB_DISABLE_PROGRESS_BARS": "1", "HF_DATASETS_DISABLE_PROGRESS_BARS": "1",
                    "TRANSFORMERS_VERBOSITY": "error", "TRANSFORMERS_NO_ADVISORY_WARNINGS": "1"}


def quiet(verbose: bool = False) -> None:
    """Filter the known-harmless warnings and the libraries' progress bars, unless ``verbose``."""
    if verbose:
        return
    for category, pattern, _why in HARMLESS:
        warnings.filterwarnings("ignore", message=pattern, category=category)
    for name in HARMLESS_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    for key, value in LIBRARY_SWITCHES.items():
        os.environ.setdefault(key, value)
    if "transformers" in sys.modules:  # already imported: the switches above came too late for it
        from transformers.utils import logging as transformers_logging

        transformers_logging.set_verbosity_error()
        transformers_logging.disable_progress_bar()
    if "datasets" in sys.modules:
        import datasets

        datasets.disable_progress_bars()


def bar(desc: str, total: int | None, initial: int = 0, unit: str = "it", enabled: bool | None = None,
        iterable=None):
    """A tqdm bar on stderr (over ``iterable`` when given); ``enabled=None`` shows it on a terminal only."""
    from tqdm import tqdm

    return tqdm(iterable, total=total, initial=initial, desc=desc, unit=unit, file=sys.stderr,
                disable=None if enabled is None else not enabled, dynamic_ncols=True)


def training_bar(desc: str):
    """A TrainerCallback that draws one bar for a training run, with the last loss in it."""
    from transformers import TrainerCallback

    class TrainingBar(TrainerCallback):
        def __init__(self):
            self.progress = None

        def on_train_begin(self, args, state, control, **kwargs):
            if state.is_world_process_zero:
                self.progress = bar(desc, state.max_steps, state.global_step, unit="step")

        def on_step_end(self, args, state, control, **kwargs):
            if self.progress is not None:
                self.progress.update(state.global_step - self.progress.n)

        def on_log(self, args, state, control, logs=None, **kwargs):
            if self.progress is not None and logs and "loss" in logs:
                self.progress.set_postfix(loss=f"{float(logs['loss']):.3f}", refresh=False)

        def on_train_end(self, args, state, control, **kwargs):
            if self.progress is not None:
                self.progress.close()
                self.progress = None

    return TrainingBar()


def replace_trainer_output(trainer, desc: str) -> None:
    """Take the Trainer's own bar and printed log dicts away; put ``training_bar(desc)`` in their place."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(training_bar(desc))
