"""``PoetBenchCallback``: score poems during training, at every save (or every N steps).

It generates on a small eval set with the current adapter, scores the poems with poetbench, and
logs the key rates (``form_ok``, ``tone_ok``, ``rhyme_ok``, ``classical_ratio``, ``fluency``,
``coherence``, ``chatter``, ``poetscore``; means over every prompt, an output with no verse
counting 0) through the trainer, so the curves land wherever ``report_to`` sends logs
(TensorBoard, W&B, the recipe's CSV). It also writes the samples and scores next to the
checkpoint, in the layout of ``poetbench run`` (``checkpoint-N/poetbench/samples.jsonl``,
``scores.jsonl``, ``summary.json``), so they can be reported without generating again. Only the
main process generates and writes.
"""

from __future__ import annotations

import json
from pathlib import Path

from transformers import TrainerCallback

from poetbench.compare import KEY_METRICS
from poetbench.jsonl import atomic_writer, dump_lines


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
        records = scorer.score_many([o["output"] for o in outputs], [Prompt.from_row(p) for p in self.prompts])
        metrics = {"step": state.global_step}
        for key in KEY_METRICS:  # over every prompt; an output with no verse counts 0
            metrics[f"{self.prefix}/{key}"] = sum(float(r[key] or 0) for r in records) / len(records)
        self.history.append(metrics)
        if self.trainer is not None:
            self.trainer.log({k: v for k, v in metrics.items() if k != "step"})
        if checkpoint is not None:
            self._write(checkpoint / "poetbench", outputs, records, metrics, scorer.signature)

    def _write(self, folder: Path, outputs: list[dict], records: list[dict], metrics: dict, signature: str) -> None:
        from poetbench.text.extract import extract_poem

        with atomic_writer(str(folder / "samples.jsonl"), binary=True) as out:
            out.write(dump_lines({"prompt_id": prompt["id"], "sample_index": 0, "prompt": prompt["prompt"],
                                  "output": output["output"], "poem": extract_poem(output["output"]).poem,
                                  "seconds": round(output["seconds"], 4)} for prompt, output in zip(self.prompts, outputs)))
        with atomic_writer(str(folder / "scores.jsonl"), binary=True) as out:
            out.write(dump_lines({"prompt_id": prompt["id"], "sample_index": 0, "scores": record}
                                 for prompt, record in zip(self.prompts, records)))
        summary = {"eval_set": self.eval_set, "n": len(records), "signature": signature,
                   "means": {k.split("/", 1)[1]: v for k, v in metrics.items() if "/" in k}, "step": metrics["step"]}
        with atomic_writer(str(folder / "summary.json")) as out:
            out.write(json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
