"""poetbench.rewards: trl's reward contract on real poems, controls and chat wrappers; and a GRPO
smoke run on the tiny model (training/grpo.py) whose checkpoint `poetbench run` can load."""

import json
import random
from pathlib import Path

import pytest

from poetbench.audit.poems import CHAT_WRAPPERS, REGULATED, VERNACULAR, forced_into_lines
from poetbench.jsonl import InputError
from poetbench.metrics.adherence import Prompt
from poetbench.reward_gap import format_table, reward_gap
from poetbench.rewards import REWARDS, RewardScorer, load_weights, reward_functions
from poetbench.text.script import to_simplified

POEMS = [(form, to_simplified(text)) for form, text in REGULATED.values()]
ALL = {name: 1.0 for name in REWARDS if name != "no_copying"}


def batch(texts, forms=None, kind="form"):
    """trl's call: chat prompts and completions, and the dataset's columns one value per completion."""
    forms = forms or [None] * len(texts)
    prompts = [[{"role": "system", "content": "s"}, {"role": "user", "content": "写一首诗"}] for _ in texts]
    completions = [[{"role": "assistant", "content": t}] for t in texts]
    return {"prompts": prompts, "completions": completions, "kind": [kind] * len(texts), "form": forms,
            "given": [None] * len(texts)}


def shuffled_poems(seed: int = 0) -> list[str]:
    """The characters of each poem in random order, line lengths and punctuation kept (salad)."""
    rng = random.Random(seed)
    shuffled = []
    for _, text in POEMS:
        chars = [c for c in text if c not in "，。"]
        rng.shuffle(chars)
        out, k = [], 0
        for c in text:
            out.append(c if c in "，。" else chars[k])
            k += c not in "，。"
        shuffled.append("".join(out))
    return shuffled


@pytest.fixture(scope="module")
def rewards(scorer):
    functions, weights = reward_functions(ALL, RewardScorer(scorer))
    return {f.__name__: f for f in functions}


def test_real_poems_earn_every_part_of_the_reward(rewards):
    values = {name: f(**batch([t for _, t in POEMS], [form for form, _ in POEMS])) for name, f in rewards.items()}
    assert values["form"] == values["tone"] == values["rhyme"] == values["linkage"] == [1.0] * len(POEMS)
    assert values["tone_ok"] == values["rhyme_ok"] == [1.0] * len(POEMS)
    assert values["no_chatter"] == [1.0] * len(POEMS)
    assert min(values["fluency"]) > 0.9 and min(values["coherence"]) > 0.8 and min(values["poetscore"]) > 0.7


def test_linkage_pays_for_nian_and_dui_alone(rewards):
    # 王维《渭城曲》, 折腰体: line 3 breaks 粘 with line 2 and nothing else
    [linkage] = rewards["linkage"](**batch(["渭城朝雨浥轻尘，客舍青青柳色新。劝君更尽一杯酒，西出阳关无故人。"]))
    assert linkage == pytest.approx(2 / 3)
    # every line in the same pattern: each line after the first breaks 对 or 粘
    [same] = rewards["linkage"](**batch(["白日依山尽，白日依山尽，白日依山尽，白日依山尽。"]))
    assert same < 0.5
    assert rewards["tone_ok"](**batch(["渭城朝雨浥轻尘，客舍青青柳色新。劝君更尽一杯酒，西出阳关无故人。"])) == [0.0]


def test_adherence_pays_for_what_the_prompt_asked(rewards):
    (_, first), (_, second) = POEMS[0], POEMS[1]
    given = first.split("，")[0]
    continuation = batch([first, second], kind="continuation")
    continuation["given"] = [given, given]
    assert rewards["adherence"](**continuation) == [1.0, 0.0]  # goes on from the given line; ignores it
    assert rewards["adherence"](**batch([first], ["qijue"])) == [0.0]  # a 五绝 where a 七绝 was asked for
    assert rewards["adherence"](**batch([first], kind="free")) == [0.0]  # asks nothing: the same 0 for a whole group


def test_controls_lose_the_parts_they_break(rewards):
    shuffled = shuffled_poems()
    shaped = [forced_into_lines(v, 5) for v in VERNACULAR[:10]]  # verse-shaped prose
    real = rewards["fluency"](**batch([t for _, t in POEMS]))
    assert sum(rewards["fluency"](**batch(shuffled))) / len(shuffled) < sum(real) / len(real) - 0.3
    shaped_scores = rewards["poetscore"](**batch(shaped))
    assert sum(shaped_scores) / len(shaped_scores) < 0.3 and max(shaped_scores) < 0.5  # real poems: above 0.7
    assert sum(rewards["fluency"](**batch(shaped))) / len(shaped) < 0.6
    assert rewards["form"](**batch([POEMS[0][1]], ["qilv"])) == [0.0]  # a 五绝 where a 七律 was asked for
    assert all(f(**batch(["", "。。。", "hello"])) == [0.0] * 3 for f in rewards.values())  # no verse: 0, everywhere


def test_a_chat_wrapper_changes_only_no_chatter(rewards):
    poem = POEMS[1][1].replace("。", "。\n")
    wrapped = [w.format(poem) for w in CHAT_WRAPPERS]
    for name, f in rewards.items():
        values = f(**batch([poem] + wrapped, ["qijue"] * (1 + len(wrapped))))
        if name == "no_chatter":
            assert values[0] == 1.0 and values[1:] == [0.0] * len(wrapped)
        elif name != "poetscore":  # PoetScore counts chatter against the poem, on purpose
            assert values == [values[0]] * len(values), name


def test_values_are_deterministic_bounded_and_scored_once_per_batch(scorer, monkeypatch):
    calls = []
    real_score_many = scorer.score_many
    monkeypatch.setattr(scorer, "score_many", lambda *a, **k: calls.append(1) or real_score_many(*a, **k))
    functions, weights = reward_functions(ALL, RewardScorer(scorer))
    texts = [t for _, t in POEMS] + VERNACULAR[:3] + ["山山山山山，山山山山山。"]
    first = [f(**batch(texts)) for f in functions]
    assert len(calls) == 1  # every reward of the step read one scoring pass
    assert [f(**batch(texts)) for f in functions] == first and len(calls) == 1
    plain = [f(prompts=["写一首诗"] * len(texts), completions=texts) for f in functions]  # strings, no columns
    assert plain == first  # kind "form" without a form asks for nothing more than no columns do
    assert all(0.0 <= v <= 1.0 for values in first for v in values)
    assert [f.__name__ for f in functions] == list(ALL) and weights == [1.0] * len(ALL)


def test_weights_come_from_yaml_and_bad_ones_are_named(tmp_path):
    path = tmp_path / "weights.yaml"
    path.write_text("rewards:\n  tone: 2\n  rhyme: 1.5\n  fluency: 0\n", encoding="utf-8")
    assert load_weights(path) == {"tone": 2.0, "rhyme": 1.5}
    for text, message in (("rewards: {tone: -1}", "not a weight"), ("rewards: {meter: 1}", "unknown reward 'meter'"),
                          ("rewards: {tone: 0}", "every weight is 0"), ("[1, 2]", "mapping of reward names")):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(InputError, match=message):
            load_weights(path)
    with pytest.raises(InputError, match="needs a reference corpus"):
        reward_functions({"no_copying": 1.0})


CONFIG = str(Path(__file__).resolve().parents[1] / "training" / "configs" / "tiny-grpo.yaml")


def test_grpo_smoke_on_the_tiny_model(tmp_path):
    pytest.importorskip("trl", reason="the [train] extra is not installed")
    from test_data import planted, write_corpus
    from poetbench.checkpoints import parse_spec
    from poetbench.data.prepare import prepare
    from training import tiny
    from training.grpo import main as grpo_main
    from training.train import main as train_main

    write_corpus(tmp_path / "corpus", planted())
    prepare(f"chinese-poetry:{tmp_path / 'corpus'}", tmp_path / "split", forms=None, heldout=0.2)
    tiny.build(tmp_path / "base", vocab_size=900, texts=[t for _, t in REGULATED.values()] * 3 + VERNACULAR)
    sft = str(Path(__file__).resolve().parents[1] / "training" / "configs" / "tiny-cpu.yaml")
    assert train_main(["--config", sft, "--set", f"output_dir={tmp_path / 'sft'}", f"model_name_or_path={tmp_path / 'base'}",
                       f"data.prepared={tmp_path / 'split'}", "max_steps=1", "save_steps=1", "per_device_train_batch_size=4",
                       "poetbench_callback=null", "report_to=[]"]) == 0
    assert grpo_main(["--config", CONFIG, "--set", f"output_dir={tmp_path / 'grpo'}", f"model_name_or_path={tmp_path / 'base'}",
                      f"sft_adapter={tmp_path / 'sft' / 'checkpoint-1'}", f"data.prepared={tmp_path / 'split'}",
                      "max_steps=2", "save_steps=2", "logging_steps=1", "per_device_train_batch_size=4", "num_generations=2",
                      "max_completion_length=12", "poetbench_callback.limit=2", "poetbench_callback.max_new_tokens=8",
                      "report_to=[]"]) == 0
    manifest = json.loads((tmp_path / "grpo" / "train_manifest.json").read_text(encoding="utf-8"))
    assert manifest["global_step"] == 2 and manifest["stage"] == "grpo" and 0 < manifest["reward_share"] < 1
    logged = (tmp_path / "grpo" / "metrics.csv").read_text(encoding="utf-8")
    for key in ("rewards/tone/mean", "rewards/fluency/mean", "rewards/time_share", "poetbench/tone_ok"):
        assert f",{key}," in logged, key
    checkpoints = parse_spec(str(tmp_path / "grpo"))  # the base and the GRPO adapter, as for SFT
    assert [c.label for c in checkpoints] == ["base", "grpo2"] and checkpoints[1].adapter
    assert checkpoints[1].step == 1 + 2  # after the SFT step it started from
    assert (tmp_path / "grpo" / "checkpoint-2" / "poetbench" / "summary.json").is_file()


def test_the_gpu_grpo_config_is_one_trl_accepts():
    """qwen1.5-1.8b-chat-grpo.yaml cannot train here (no CUDA), but every key must be one trl's
    GRPOConfig takes: a key trl renames fails here, not on someone's GPU."""
    trl = pytest.importorskip("trl", reason="the [train] extra is not installed")
    from training.grpo import GRPO_SECTIONS
    from training.train import load_config

    config = load_config(str(Path(CONFIG).with_name("qwen1.5-1.8b-chat-grpo.yaml")), [], stage="grpo")
    args = {key: value for key, value in config.items() if key not in GRPO_SECTIONS} | {"bf16": False}  # no bf16 on a CPU
    grpo = trl.GRPOConfig(**args, reward_weights=list(config["rewards"].values()))
    assert grpo.use_vllm and grpo.vllm_mode == "colocate" and grpo.beta > 0  # vLLM generation, a KL term to SFT


def test_grpo_config_errors_are_one_clear_line(tmp_path, capsys):
    from training.grpo import main as grpo_main

    assert grpo_main(["--config", CONFIG, "--set", "sft_adapter=/nowhere", f"output_dir={tmp_path}"]) == 2
    assert "sft_adapter: '/nowhere' is not a LoRA checkpoint" in capsys.readouterr().err
    assert grpo_main(["--config", CONFIG, "--set", "rewards.meter=1", f"output_dir={tmp_path}"]) == 2
    assert "unknown reward 'meter'" in capsys.readouterr().err
    assert grpo_main(["--config", CONFIG, "--set", "packing=true", f"output_dir={tmp_path}"]) == 2
    assert "not a poetbench section nor a GRPOConfig field" in capsys.readouterr().err
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "training.grpo", "--config", CONFIG, "--set", "sft_adapter=/nowhere"],
                          capture_output=True, text=True, cwd=Path(CONFIG).parents[2])  # as the README runs it
    assert done.returncode == 2 and done.stderr.startswith("training: error: sft_adapter:"), done.stderr


def _delta(delta, low, high):
    return {"delta": delta, "low": low, "high": high, "p": 0.01, "n": 200}


def test_a_checkpoint_whose_meter_rises_while_its_language_falls_is_flagged():
    from poetbench.compare import hacking_sentences, reward_hacking
    from poetbench.report import markdown_summary

    still = _delta(0.0, -0.02, 0.02)
    deltas = {
        "hacked": {"tone_ok": _delta(0.30, 0.22, 0.38), "rhyme_ok": still, "fluency": _delta(-0.20, -0.26, -0.14),
                   "coherence": still},
        "honest": {"tone_ok": _delta(0.30, 0.22, 0.38), "fluency": _delta(-0.01, -0.05, 0.03), "coherence": still},
        "worse": {"tone_ok": _delta(-0.1, -0.2, -0.05), "fluency": _delta(-0.20, -0.26, -0.14)},  # no meter gain
        # at the ceiling: nearly every poem scores fluency 1.0, so a fall of 0.0001 has a CI below 0
        "ceiling": {"tone_ok": _delta(0.26, 0.18, 0.33), "fluency": _delta(-0.0001, -0.0002, -0.0001)},
        "small": {"rhyme_ok": _delta(0.1, 0.05, 0.14), "coherence": _delta(-0.012, -0.02, -0.004)},
        "unknown": {"tone_ok": {"delta": None, "low": None, "high": None, "p": None, "n": 0}},
    }
    flags = reward_hacking(deltas)
    assert flags == {"hacked": {"meter_up": {"tone_ok": 0.3}, "language_down": {"fluency": -0.2}},
                     "small": {"meter_up": {"rhyme_ok": 0.1}, "language_down": {"coherence": -0.012}}}
    comparison = {"reference": "step200", "reward_hacking": flags, "labels": [], "eval_set": {"name": "x", "sha256": "0" * 64},
                  "signature": "s", "means": {}, "paired": {}}
    sentence, _ = hacking_sentences(comparison)
    assert "hacked" in sentence and "tone_ok +0.300" in sentence and "fluency -0.200" in sentence and "step200" in sentence
    assert sentence in markdown_summary(comparison)


def test_the_demos_rewards_option_is_checked_and_names_its_label():
    from poetbench.demo import DemoSettings, grpo_name, parse_rewards

    assert parse_rewards("tone=1, rhyme=2") == {"tone": 1.0, "rhyme": 2.0}
    with pytest.raises(InputError, match="--rewards 'tone=x'"):
        parse_rewards("tone=x")
    with pytest.raises(InputError, match="unknown reward 'meter'"):
        parse_rewards("meter=1")
    assert grpo_name(DemoSettings(rewards={"tone": 1.0, "rhyme": 2.0}), "grpo60") == "grpo60-tone_rhyme2"
    config = dict(load_weights(CONFIG))  # training/configs/tiny-grpo.yaml's rewards
    assert grpo_name(DemoSettings(rewards={**config, "tone_ok": 2.0}), "grpo60") == "grpo60-cfg_tone_ok2"
    without = {name: weight for name, weight in config.items() if name != "no_repetition"}
    assert grpo_name(DemoSettings(rewards=without), "grpo60") == "grpo60-cfg_no_repetition0"
    assert grpo_name(DemoSettings(rewards=config), "grpo60") == "grpo60"  # the config's own: the same run
    assert grpo_name(DemoSettings(), "grpo60") == "grpo60"


def _gap_fixture(tmp_path, scorer, sft_texts, grpo_texts):
    """A GRPO training directory whose fluency and tone rewards rose while form stayed, and a run
    whose labels ``sft`` and ``grpo`` wrote ``sft_texts`` and ``grpo_texts``."""
    train = tmp_path / "grpo"
    train.mkdir(parents=True)
    (train / "train_manifest.json").write_text(json.dumps({"rewards": {"form": 1.0, "tone": 1.0, "fluency": 0.5}}))
    log = {"form": (0.5, 0.5), "tone": (0.4, 0.8), "fluency": (0.3, 0.6)}
    (train / "metrics.csv").write_text("step,name,value\n" + "".join(
        f"{step},rewards/{name}/{kind},{values[i] if kind == 'mean' else 0.1}\n"
        for i, step in enumerate((5, 60)) for name, values in log.items() for kind in ("mean", "std")))
    run = tmp_path / "run"
    forms = [form for form, _ in POEMS]
    for label, texts in (("sft", sft_texts), ("grpo", grpo_texts)):
        (run / label).mkdir(parents=True)
        records = scorer.score_many(texts, [Prompt.from_row({"kind": "form", "form": f}) for f in forms])
        (run / label / "scores.jsonl").write_text("".join(
            json.dumps({"prompt_id": f"p{n}", "sample_index": 0, "scores": r}, ensure_ascii=False) + "\n"
            for n, r in enumerate(records)), encoding="utf-8")
    return train, run


def test_rewards_that_rose_in_training_are_checked_on_held_out_prompts(tmp_path, scorer):
    real = [t for _, t in POEMS]
    train, run = _gap_fixture(tmp_path / "salad", scorer, real, shuffled_poems())  # GRPO wrote salad
    rows = {row["reward"]: row for row in reward_gap(train, run, "sft", "grpo")}
    assert list(rows) == ["form", "tone", "fluency"] and rows["fluency"]["weight"] == 0.5
    assert (rows["fluency"]["train_first"], rows["fluency"]["train_last"]) == (0.3, 0.6)
    assert rows["fluency"]["delta"]["high"] < 0 and rows["fluency"]["verdict"] == "falls held out"
    assert rows["form"]["delta"]["delta"] == 0 and rows["form"]["verdict"] == ""  # flat in training and held out
    table = format_table(list(rows.values()), "sft", "grpo")
    assert [line.split()[0] for line in table.splitlines()] == ["reward", "form", "tone", "fluency"]
    assert table.splitlines()[3].endswith("falls held out")

    train, run = _gap_fixture(tmp_path / "same", scorer, real, real)  # training rewards rose, held-out poems the same
    rows = {row["reward"]: row for row in reward_gap(train, run, "sft", "grpo")}
    assert rows["tone"]["verdict"] == rows["fluency"]["verdict"] == "does not carry" and rows["form"]["verdict"] == ""

    train, run = _gap_fixture(tmp_path / "poems", scorer, shuffled_poems(), real)  # GRPO learnt real poems
    rows = {row["reward"]: row for row in reward_gap(train, run, "sft", "grpo")}
    assert rows["fluency"]["delta"]["low"] > 0 and rows["tone"]["delta"]["low"] > 0
    assert [row["verdict"] for row in rows.values()] == ["", "", ""]
    with pytest.raises(InputError, match="train_manifest.json and metrics.csv"):
        reward_gap(tmp_path, run, "sft", "grpo")
    with pytest.raises(InputError, match="scores.jsonl: missing"):
        reward_gap(train, run, "sft", "grpo90")
