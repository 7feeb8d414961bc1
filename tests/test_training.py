"""The training recipe on the tiny model, on the CPU: build, train, 4-bit, callback, resume, DDP."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("trl", reason="the [train] extra is not installed")

from test_data import planted, write_corpus  # noqa: E402

from poetbench import numerics  # noqa: E402
from poetbench.audit.poems import REGULATED, VERNACULAR  # noqa: E402
from poetbench.data.prepare import prepare  # noqa: E402
from poetbench.sft import turn_closing  # noqa: E402
from training import tiny  # noqa: E402
from training.train import ConfigError, load_config, main  # noqa: E402

CONFIG = str(Path(__file__).resolve().parents[1] / "training" / "configs" / "tiny-cpu.yaml")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A tiny base model and a prepared split of the planted fixture corpus."""
    root = tmp_path_factory.mktemp("training")
    corpus = write_corpus(root / "corpus", planted())
    prepare(f"chinese-poetry:{corpus}", root / "split", forms=None, heldout=0.2)
    texts = [t for _, t in REGULATED.values()] * 3 + VERNACULAR
    tiny.build(root / "base", vocab_size=900, texts=texts)
    return root


def overrides(root, out, **extra):
    values = {"output_dir": root / out, "model_name_or_path": root / "base", "data.prepared": root / "split",
              "max_steps": 4, "save_steps": 2, "logging_steps": 1, "per_device_train_batch_size": 4,
              "poetbench_callback.limit": 3, "poetbench_callback.max_new_tokens": 8, "report_to": "[]", **extra}
    return [f"{k}={v}" for k, v in values.items()]


def losses(run_dir):
    rows = (run_dir / "metrics.csv").read_text().splitlines()[1:]
    return [float(r.split(",")[2]) for r in rows if r.split(",")[1] == "loss"]


def test_tiny_model_loads_back_with_auto_classes(workspace):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(workspace / "base")
    model = AutoModelForCausalLM.from_pretrained(workspace / "base")
    assert type(tokenizer).__name__ == "Qwen2Tokenizer" and type(model).__name__ == "Qwen2ForCausalLM"
    assert sum(p.numel() for p in model.parameters()) < 3_000_000
    chat = tokenizer.apply_chat_template([{"role": "user", "content": "写诗"}, {"role": "assistant", "content": "白日依山尽"}],
                                         tokenize=False)
    assert chat.endswith("<|im_start|>assistant\n白日依山尽<|im_end|>\n")  # its template closes the last turn
    assert turn_closing(tokenizer) == ""
    assert tokenizer.decode(tokenizer("白日依山尽，黄河入海流。")["input_ids"]) == "白日依山尽，黄河入海流。"


def test_tokenizer_gives_one_token_per_character_and_reloads_the_same(workspace):
    """Merges stay inside a character, so a 5-character line is 5 tokens, in training and after reload."""
    from transformers import AutoTokenizer

    texts = [t for _, t in REGULATED.values()] * 3 + VERNACULAR
    trained = tiny.train_tokenizer(texts, 900)
    reloaded = AutoTokenizer.from_pretrained(workspace / "base")
    line = texts[0][:12]  # characters the vocabulary has seen
    for tokenizer in (trained, reloaded):
        ids = tokenizer(line)["input_ids"]
        assert [tokenizer.decode([i]) for i in ids] == list(line)
    assert trained(VERNACULAR[0])["input_ids"] == reloaded(VERNACULAR[0])["input_ids"]


def test_pretraining_documents_are_chat_turns_that_end(workspace):
    """The base learns the chat template and to end its turn, on prose; long paragraphs end on a 。."""
    documents = tiny.chat_documents(["子曰：学而时习之，不亦说乎？" * 8, "天下大势，分久必合。"], seed=1)
    assert len(documents) == 2
    for document in documents:
        assert document.startswith("<|im_start|>system\n") and document.endswith("<|im_end|>\n")
        answer = document.split("<|im_start|>assistant\n")[1].removesuffix("<|im_end|>\n")
        assert 0 < len(answer) <= 80 + max(map(len, tiny.CHATTY))
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(workspace / "base")
    ids = tokenizer(documents[0])["input_ids"]
    assert ids.count(tokenizer.convert_tokens_to_ids("<|im_end|>")) == 3  # special tokens, not text


def test_train_writes_loadable_adapter_checkpoints_and_callback_samples(workspace):
    assert main(["--config", CONFIG, "--set", *overrides(workspace, "run")]) == 0
    run = workspace / "run"
    for step in (2, 4):
        assert (run / f"checkpoint-{step}" / "adapter_model.safetensors").is_file()
        samples = (run / f"checkpoint-{step}" / "poetbench" / "samples.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(samples) == 3 and json.loads(samples[0])["prompt_id"].startswith("smoke-v1/")
    manifest = json.loads((run / "train_manifest.json").read_text(encoding="utf-8"))
    assert manifest["global_step"] == 4 and manifest["data_manifest_sha256"] and manifest["versions"]["trl"]
    names = {r.split(",")[1] for r in (run / "metrics.csv").read_text().splitlines()[1:]}
    assert {"loss", "poetbench/form_ok", "poetbench/poetscore", "poetbench/classical_ratio"} <= names

    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(workspace / "base"), run / "checkpoint-4")
    assert {"q_proj", "k_proj", "v_proj", "o_proj"} <= model.peft_config["default"].target_modules


def test_same_config_and_seed_give_the_same_loss(workspace):
    for name in ("same-a", "same-b"):
        assert main(["--config", CONFIG, "--set", *overrides(workspace, name, **{"poetbench_callback": "null"})]) == 0
    assert losses(workspace / "same-a") == losses(workspace / "same-b") and losses(workspace / "same-a")


def test_the_models_own_lm_head_gives_the_loss_of_trls_fused_head(workspace):
    """``fused_lm_head: false`` (the tiny config's) takes the loss from the model's own head instead
    of trl's fused one: the same losses up to float rounding, without trl's entropy column."""
    names = {}
    for fused in ("true", "false"):
        args = overrides(workspace, f"head-{fused}", poetbench_callback="null", fused_lm_head=fused)
        assert main(["--config", CONFIG, "--set", *args]) == 0
        names[fused] = {r.split(",")[1] for r in (workspace / f"head-{fused}" / "metrics.csv").read_text().splitlines()[1:]}
    assert "entropy" in names["true"] and "entropy" not in names["false"]  # each run took its own head
    assert losses(workspace / "head-false") == pytest.approx(losses(workspace / "head-true"), rel=1e-5)
    assert len(losses(workspace / "head-false")) == 4
    assert load_config(CONFIG, [])["fused_lm_head"] is False


def test_resume_continues_from_the_last_checkpoint(workspace):
    args = overrides(workspace, "resume", **{"poetbench_callback": "null"})
    assert main(["--config", CONFIG, "--set", *args]) == 0
    assert main(["--config", CONFIG, "--resume", "--set", *args, "max_steps=6"]) == 0
    manifest = json.loads((workspace / "resume" / "train_manifest.json").read_text(encoding="utf-8"))
    assert manifest["resumed_from"].endswith("checkpoint-4") and manifest["global_step"] == 6
    assert (workspace / "resume" / "checkpoint-6" / "adapter_model.safetensors").is_file()


def test_four_bit_path_loads_trains_and_saves(workspace):
    args = overrides(workspace, "qlora", **{"quantization.load_in_4bit": "true", "max_steps": 2,
                                            "poetbench_callback": "null"})
    assert main(["--config", CONFIG, "--set", *args]) == 0
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    model = AutoModelForCausalLM.from_pretrained(workspace / "base", quantization_config=BitsAndBytesConfig(load_in_4bit=True))
    assert any("4bit" in type(m).__name__ for m in model.modules())  # the base really is quantised
    assert (workspace / "qlora" / "checkpoint-2" / "adapter_model.safetensors").is_file()


def test_a_four_bit_model_loaded_for_training_never_takes_the_cpu_inference_path(workspace):
    """On an AVX-512-BF16 CPU, bitsandbytes repacks a Linear4bit for inference when it runs in eval
    mode without grad, and the next training forward fails (issue 28). The recipe turns that
    off on every layer and unpacks one already packed: checked on the setting, so on any CPU."""
    import bitsandbytes as bnb
    import torch
    from bitsandbytes.functional import _convert_weight_packed_for_cpu

    from training.train import keep_4bit_trainable, load_base

    config = load_config(CONFIG, overrides(workspace, "q4pack", **{"quantization.load_in_4bit": "true"}))
    _, model = load_base(config)
    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    assert layers and not any(layer.support_avx512bf16_for_cpu for layer in layers)

    layer = layers[0]  # packed as a generation on such a CPU leaves it, then handed to training
    packed_from = layer.weight.data.clone()
    layer.weight.data, layer.weight.quant_state = _convert_weight_packed_for_cpu(layer.weight.data, layer.weight.quant_state)
    layer.support_avx512bf16_for_cpu = True
    assert keep_4bit_trainable(model) == len(layers)
    assert not layer.support_avx512bf16_for_cpu and not layer.weight.quant_state.packing_format_for_cpu
    assert torch.equal(layer.weight.data, packed_from)

    ids = torch.tensor([[5, 6, 7, 8, 9]])
    model.eval()
    with torch.no_grad():
        model(input_ids=ids)  # a generation's forward: no repacking now
    assert not any(getattr(m.weight.quant_state, "packing_format_for_cpu", False) for m in layers)
    model.train()
    loss = model(input_ids=ids, labels=ids).loss
    assert torch.isfinite(loss)


def lora_losses(workspace, out: str, env: dict) -> list[float]:
    """Six LoRA steps of ``python -m training.train`` in a process of its own under ``env``."""
    done = subprocess.run([sys.executable, "-m", "training.train", "--config", CONFIG, "--set",
                           *overrides(workspace, out, max_steps=6, save_steps=6, poetbench_callback="null")],
                          env={**os.environ, **env}, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return losses(workspace / out)


def test_pinned_numerics_give_the_same_losses_whatever_the_shell_sets(workspace):
    """Another ISA and another thread count (as on another machine) give other losses, unless
    training pins them (poetbench/numerics.py): then the losses are the same to the last bit."""
    machine_a = {"ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    machine_b = {"ATEN_CPU_CAPABILITY": "", "OMP_NUM_THREADS": "2", "MKL_NUM_THREADS": "2"}
    native = {"POETBENCH_NATIVE_NUMERICS": "1"}
    assert lora_losses(workspace, "native-a", {**machine_a, **native}) != lora_losses(workspace, "native-b",
                                                                                     {**machine_b, **native})
    pinned = lora_losses(workspace, "pinned-a", machine_a)
    assert len(pinned) == 6 and pinned == lora_losses(workspace, "pinned-b", machine_b)
    manifest = json.loads((workspace / "pinned-a" / "train_manifest.json").read_text())
    assert manifest["numerics"] == {"isa": "AVX2", "threads": 2, "mkl_cbwr": numerics.ENVIRONMENT["MKL_CBWR"]}


def test_the_pin_holds_only_before_torch_computes():
    script = ("import os, torch; torch.ones(64).sum(); from poetbench import numerics; r = numerics.pin(); "
              "print(r['isa'], r['threads'], bool(r['unpinned']))")
    done = subprocess.run([sys.executable, "-c", script], env={**os.environ, "ATEN_CPU_CAPABILITY": "default"},
                          capture_output=True, text=True)
    assert done.stdout.split() == ["DEFAULT", "2", "True"], done.stderr[-1000:]  # torch computed first: told
    done = subprocess.run([sys.executable, "-c", script.replace(" torch.ones(64).sum();", "")],
                          env={**os.environ, "ATEN_CPU_CAPABILITY": "default", "OMP_NUM_THREADS": "1"},
                          capture_output=True, text=True)
    assert done.stdout.split() == ["AVX2", "2", "False"], done.stderr[-1000:]


def test_config_errors_are_one_clear_line(workspace, capsys):
    with pytest.raises(ConfigError, match="unknown key 'bogus'"):
        load_config(CONFIG, ["bogus=1"])
    with pytest.raises(ConfigError, match="completion_only_loss: true"):  # trl would swap the template
        load_config(CONFIG, ["assistant_only_loss=true"])
    qwen = str(Path(CONFIG).with_name("qwen1.5-1.8b-chat-qlora.yaml"))
    import torch

    if not torch.cuda.is_available():
        assert main(["--config", qwen, "--set", f"output_dir={workspace / 'q'}"]) == 2
        assert "require_cuda" in capsys.readouterr().err
    assert main(["--config", CONFIG, "--set", *overrides(workspace, "x", **{"data.prepared": workspace / "nowhere"})]) == 2
    with pytest.raises(ConfigError, match=r"build_tiny.pretrain_on: 'verse'; use one of prose, poems\+prose"):
        load_config(CONFIG, ["build_tiny.pretrain_on=verse"])
    with pytest.raises(ConfigError, match="fused_lm_head: 'sometimes'; write true"):
        load_config(CONFIG, ["fused_lm_head=sometimes"])


def test_only_a_base_pretrained_on_poems_reads_them(tmp_path, monkeypatch):
    poems, prose = ["白日依山尽，黄河入海流。"] * 5, ["子曰：学而时习之，不亦说乎？"] * 5
    read = {}
    monkeypatch.setattr(tiny, "corpus_texts", lambda corpus: (poems, prose))
    monkeypatch.setattr(tiny, "pretrain", lambda model, tokenizer, documents, *a, **k: read.setdefault(k["lr"], documents))
    for n, pretrain_on in enumerate(tiny.PRETRAIN_ON):
        out = tiny.build(tmp_path / pretrain_on, vocab_size=300, pretrain_steps=1, pretrain_lr=n, pretrain_on=pretrain_on)
        assert json.loads((out / "tiny_build.json").read_text())["pretrain_on"] == pretrain_on
    assert not any("黄河" in d for d in read[0]) and all("子曰" in d for d in read[0])  # prose: never a poem
    assert sum("黄河" in d for d in read[1]) == 5 and sum("子曰" in d for d in read[1]) == 5
    with pytest.raises(ValueError, match="pretrain_on: 'verse'"):
        tiny.build(tmp_path / "x", pretrain_on="verse")


def test_documents_encoded_one_at_a_time_give_the_ids_of_the_joined_text():
    texts = [text for _, text in REGULATED.values()] + VERNACULAR[:20]
    tokenizer = tiny.train_tokenizer(texts, 300)  # small: most characters fall back to bytes, merged within one
    documents = tiny.chat_documents(texts, seed=0)
    joined = tokenizer("".join(documents))["input_ids"]
    assert len(joined) > 1000 and tiny.encode_documents(tokenizer, documents) == joined


def test_ddp_with_two_cpu_processes_gives_the_same_layout(workspace):
    args = overrides(workspace, "ddp", **{"poetbench_callback.limit": 2})
    # accelerate starts torchrun for --multi_gpu; on a machine without GPUs the processes use gloo.
    launch = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2", "--num_machines", "1",
              "--mixed_precision", "no", "--dynamo_backend", "no", "-m", "training.train", "--config", CONFIG, "--set", *args]
    done = subprocess.run(launch, capture_output=True, text=True, cwd=Path(CONFIG).parents[2], timeout=300)
    assert done.returncode == 0, done.stderr[-8000:]  # enough to show a rank's own error, not only the launcher's
    ddp, single = workspace / "ddp", workspace / "run"
    assert json.loads((ddp / "train_manifest.json").read_text(encoding="utf-8"))["world_size"] == 2
    layout = sorted(str(p.relative_to(ddp)) for p in ddp.glob("checkpoint-*/**/*") if "rng_state" not in p.name)
    expected = sorted(str(p.relative_to(single)) for p in single.glob("checkpoint-*/**/*") if "rng_state" not in p.name)
    assert layout == expected
