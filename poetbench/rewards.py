"""poetbench as a reward: functions for trl's ``GRPOTrainer``, built on ``Scorer.score_many``.

Contract (what trl calls, and what comes back):

* Each reward is called as trl calls one: ``reward(prompts=…, completions=…, **columns)``.
  ``completions`` are chat messages (``[{"role": "assistant", "content": text}]``) or plain
  strings, ``prompts`` the matching requests (messages or strings).
* The prompt fields come from the dataset's columns, which trl forwards one value per
  completion: ``kind``, ``form``, ``keywords``, ``given`` — the fields of an eval-set row
  (``poetbench.sft.to_request`` writes them). The request's text is the prompt's last user
  message. Without these columns the rewards still work: no form is asked for, so ``form``
  rewards any regulated shape.
* Every value lies in [0, 1], higher is better, and is never None: a completion with no verse
  gets 0 from every reward (an empty answer neither chatters nor copies, and earns nothing for
  it). The same completions and prompts always give the same values.
* The rewards of one step share one ``score_many`` over the batch (the last batch's records are
  kept), so adding a reward costs a lookup, not a scoring pass.

The rewards, and the score-record key each one reads:

    form        form_ok           the requested form (any regulated shape when none is asked)
    tone        tone_conformity   平仄: the share of checks that hold (粘对, 孤平, 三平尾, 犯律)
    linkage     tone_violations   粘对 alone: the share of lines after the first that keep 粘 and 对
                                  with the line before (0 for a poem that is not regulated)
    tone_ok     tone_ok           1 when the poem breaks no 平仄 rule at all (all or nothing)
    rhyme       rhyme_rate        the share of rhyme positions that rhyme (平水韵 by default)
    rhyme_ok    rhyme_ok          1 when every rhyme position rhymes, in one group
    fluency     fluency           the reference language model's fluency (catches salad)
    coherence   coherence         lines that belong together (catches shuffled lines)
    no_chatter  1 - chatter       no talk before or after the poem
    no_repetition repetition_ok   no repeated lines, loops or one character everywhere
                                  (coherence alone is met by opening every line with 不)
    adherence   adherence         what the prompt asked: its keywords, its given line, its form
                                  (0 for a free prompt, which asks nothing: the same for a whole group)
    no_copying  1 - copy_overlap  no verbatim copying of the reference corpus (needs one)
    poetscore   poetscore / 100   PoetScore v2, the gated composite

Weights are read from YAML (``rewards:`` in a GRPO config, or a file of its own): a mapping of
reward names to weights; a name left out, or a weight of 0, is not used.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import yaml

from poetbench.jsonl import InputError
from poetbench.metrics.adherence import Prompt
from poetbench.metrics.poetscore import LINKAGE_RULES
from poetbench.scoring import Scorer


def linkage(record: dict) -> float:
    """粘对 as a reward: the share of lines after the first with no 粘 or 对 violation. Unlike
    PoetScore's linkage gate it also counts lines that break their own pattern: a policy must not
    escape it by breaking more."""
    violations = record["tone_violations"]
    if violations is None or record["n_lines"] < 2:
        return 0.0
    broken = {v["line"] for v in violations if v["rule"] in LINKAGE_RULES}
    return 1.0 - len(broken) / (record["n_lines"] - 1)


# name -> (the score-record key it reads, its value as a reward, from the record)
REWARDS: dict[str, tuple[str, Callable[[dict], float]]] = {
    "form": ("form_ok", lambda r: float(bool(r["form_ok"]))),
    "tone": ("tone_conformity", lambda r: float(r["tone_conformity"] or 0.0)),
    "linkage": ("tone_violations", linkage),
    "tone_ok": ("tone_ok", lambda r: float(bool(r["tone_ok"]))),
    "rhyme": ("rhyme_rate", lambda r: float(r["rhyme_rate"] or 0.0)),
    "rhyme_ok": ("rhyme_ok", lambda r: float(bool(r["rhyme_ok"]))),
    "fluency": ("fluency", lambda r: float(r["fluency"] or 0.0)),
    "coherence": ("coherence", lambda r: float(r["coherence"] or 0.0)),
    "no_chatter": ("chatter", lambda r: 0.0 if r["chatter"] else 1.0),
    "no_repetition": ("repetition_ok", lambda r: float(bool(r["repetition_ok"]))),
    "adherence": ("adherence", lambda r: float(r["adherence"] or 0.0)),
    "no_copying": ("copy_overlap", lambda r: 1.0 - float(r["copy_overlap"] or 0.0)),
    "poetscore": ("poetscore", lambda r: float(r["poetscore"] or 0.0) / 100.0),
}


PROMPT_COLUMNS = ("kind", "form", "keywords", "given")


def reward_value(name: str, record: dict) -> float:
    """Reward ``name`` of one score record: 0 for a completion with no verse."""
    return REWARDS[name][1](record) if record["n_lines"] else 0.0


def text_of(item) -> str:
    """The text of a completion or prompt: a string, or the last message's content (the last
    user message for a prompt)."""
    if isinstance(item, str):
        return item
    if isinstance(item, list) and item:
        users = [m for m in item if isinstance(m, dict) and m.get("role") == "user"]
        message = users[-1] if users and item[-1].get("role") != "assistant" else item[-1]
        return str(message.get("content") or "")
    return ""


class RewardScorer:
    """A Scorer for reward functions: scores each batch once, and counts the seconds it spends."""

    def __init__(self, scorer: Scorer | None = None, **scorer_options):
        self.scorer = scorer or Scorer(**scorer_options)
        self.seconds = 0.0  # time spent scoring, for the share of a training step
        self._last: tuple | None = None
        self._records: list[dict] = []

    def records(self, prompts, completions, columns: dict) -> list[dict]:
        """Score records of the batch, one per completion."""
        texts = [text_of(c) for c in completions]
        fields = [{"prompt": text_of(p) if prompts is not None else None,
                   **{name: (columns[name][n] if name in columns else None) for name in PROMPT_COLUMNS}}
                  for n, p in enumerate(prompts if prompts is not None else [None] * len(texts))]
        key = (tuple(texts), repr(fields))
        if key != self._last:
            started = time.perf_counter()
            asked = [Prompt.from_row({k: v for k, v in f.items() if v is not None}) for f in fields]
            self._records = self.scorer.score_many(texts, asked)
            self._last = key
            self.seconds += time.perf_counter() - started
        return self._records


class Reward:
    """One reward function (callable as trl calls it), named for trl's logs (``rewards/NAME``)."""

    def __init__(self, name: str, scorer: RewardScorer):
        if name not in REWARDS:
            raise InputError(f"reward {name!r}: choose from {', '.join(REWARDS)}")
        self.__name__ = name
        self.key = REWARDS[name][0]
        self.scorer = scorer

    def __call__(self, prompts=None, completions=None, **columns) -> list[float]:
        records = self.scorer.records(prompts, completions or [], columns)
        return [reward_value(self.__name__, record) for record in records]

    def __repr__(self) -> str:
        return f"Reward({self.__name__!r})"


def parse_weights(weights, where: str = "rewards") -> dict[str, float]:
    """Reward weights from a mapping (a YAML section): names checked, zeros dropped."""
    if not isinstance(weights, dict) or not weights:
        raise InputError(f"{where}: give a mapping of reward names to weights, e.g. {{tone: 1.0, rhyme: 1.0, fluency: 1.0}} "
                         f"(rewards: {', '.join(REWARDS)})")
    out = {}
    for name, weight in weights.items():
        if name not in REWARDS:
            raise InputError(f"{where}: unknown reward {name!r}; choose from {', '.join(REWARDS)}")
        if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
            raise InputError(f"{where}.{name}: {weight!r} is not a weight (a number of 0 or more)")
        if weight:
            out[name] = float(weight)
    if not out:
        raise InputError(f"{where}: every weight is 0; give at least one reward a weight above 0")
    return out


def load_weights(path: str | Path) -> dict[str, float]:
    """Reward weights from a YAML file: the mapping itself, or its ``rewards:`` section."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{path}: not valid YAML ({exc})") from None
    if isinstance(data, dict) and "rewards" in data:
        data = data["rewards"]
    return parse_weights(data, f"{path}: rewards")


def reward_functions(weights: dict[str, float], scorer: RewardScorer | None = None,
                     **scorer_options) -> tuple[list[Reward], list[float]]:
    """The reward functions and their weights, for ``GRPOTrainer(reward_funcs=…)`` and
    ``GRPOConfig(reward_weights=…)``. ``scorer_options`` go to ``Scorer`` (``book``,
    ``strict``, ``reference`` — which ``no_copying`` needs)."""
    weights = parse_weights(weights)
    scorer = scorer or RewardScorer(**scorer_options)
    if "no_copying" in weights and scorer.scorer.reference is None:
        raise InputError("rewards.no_copying: needs a reference corpus (reference: a chinese-poetry directory or JSONL)")
    return [Reward(name, scorer) for name in weights], list(weights.values())
