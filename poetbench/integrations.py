"""``PoetBenchCallback``: score poems during training, at every save (or every N steps).

It generates on a small eval set with the current adapter, scores the poems with poetbench, and
logs the key metrics of the registry (``metrics/registry.py``, place ``key``: ``form_ok``,
``tone_ok``, ``rhyme_ok``, ``classical_ratio``, ``fluency``, ``coherence``, ``chatter``,
``poetscore``; means over every prompt, an output with no verse counting 0) through the trainer,
so the curves land wherever ``report_to`` sends logs (TensorBoard, W&B, the recipe's CSV). It
also writes the samples, scores and summary next to the checkpoint
(``checkpoint-N/poetbench/samples.jsonl``, ``scores.jsonl``, ``summary.json``) through
``rundir``, in the shapes ``poetbench run`` writes: the summary's ``metrics`` are each metric's
mean over the poems that have a value, with its 95% CI, as in a run. Only the main process
generates and writes.
"""

from __future__ import annotations

from pathlib import Path

from transformers import TrainerCallback

from poetbench import rundir
from poetbench.metrics import registry


class PoetBenchCallback(TrainerCallback):
    def __init__(self, eval_set: str = "smoke-v1", limit: int | None = None, every: int | None = None,
                 max_new_tokens: int = 64, batch_size: int = 8, prefix: str = "poetbench"):
        from poetbench import evalsets

        self.prompts = evalsets.load(eval_set)[:limit]
        self.eval_set = eval_set
        self.every = every  # also score every N steps, not only at saves
        self.max_new_tokens, self.batch_size, self.prefix = max_new_tokens, batch_size, prefix
        self.trainer = None  # set by the recipe, so the metrics go through trainer.log
        self.history: list[dict] = []

    def on_step_end(self, args, state, control, **kwargs):
        if self.every and state.global_step % self.every == 0 and state.global_step:
            self._score(args, state, kwargs, checkpoint=None)

    def on_save(self, args, state, control, **kwargs):
        self._score(args, state, kwargs, checkpoint=Path(args.output_dir) / f"checkpoint-{state.global_step}")

    def _score(self, args, state, kwargs, checkpoint: Path | None) -> None:
        if not state.is_world_process_zero:
            return
        from poetbench.generation.hf import generate
        from poetbench.metrics.adherence import Prompt
        from poetbench.scoring import Scorer

        model, tokenizer = kwargs["model"], kwargs["processing_class"]
        was_training = model.training
        model.eval()
        outputs = generate(model, tokenizer, [p["prompt"] for p in self.prompts], self.max_new_tokens, self.batch_size)
        if was_training:
            model.train()
        scorer = Scorer()
        scored = scorer.score_poems([o["output"] for o in outputs], [Prompt.from_row(p) for p in self.prompts])
        metrics = {"step": state.global_step}
        for key in registry.shown_in("key"):  # over every prompt; an output with no verse counts 0
            metrics[f"{self.prefix}/{key}"] = sum(float(r[key] or 0) for r in scored.records) / len(scored.records)
        self.history.append(metrics)
        if self.trainer is not None:
            self.trainer.log({k: v for k, v in metrics.items() if k != "step"})
        if checkpoint is not None:
            self._write(checkpoint / "poetbench", state.global_step, outputs, scored, scorer.signature)

    def _write(self, folder: Path, step: int, outputs: list[dict], scored, signature: str) -> None:
        """The samples, scores and summary of one checkpoint, as ``poetbench run`` writes a label's."""
        from poetbench.evalsets import content_hash
        from poetbench.runner import label_summary, sample_key
        from poetbench.text.extract import extract_poem

        checkpoint = {"label": f"step{step}", "identity": f"{self.prefix}-step{step}", "step": step}
        gen_kwargs = {"max_new_tokens": self.max_new_tokens}
        samples = [{"key": sample_key(checkpoint["identity"], prompt, gen_kwargs, 0, 0), "prompt_id": prompt["id"],
                    "sample_index": 0, "prompt": prompt["prompt"], "output": output["output"],
                    "poem": extract_poem(output["output"]).poem, "seconds": round(output["seconds"], 4)}
                   for prompt, output in zip(self.prompts, outputs)]
        folder.mkdir(parents=True, exist_ok=True)
        rundir.write_samples(folder, samples)
        eval_set = {"name": self.eval_set, "sha256": content_hash(self.prompts), "n": len(self.prompts)}
        summary = label_summary(checkpoint, eval_set, signature, scored.records, scored.simplified, missing=[])
        rundir.write_scored(folder, [rundir.score_row(s, checkpoint["identity"], signature, r)
                                     for s, r in zip(samples, scored.records)], summary)
