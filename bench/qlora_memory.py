"""The seed's model at full size: Qwen1.5-1.8B's architecture (random weights) in NF4, with QLoRA.

    python bench/qlora_memory.py [--dir runs/qwen-full] [--steps 3]

Needs the ``train`` and ``qwen`` extras. In order:

1. builds the full-size Qwen-shaped checkpoint once (``training/qwen_like.py --size full``,
   saved in bfloat16, 3.7 GB) unless ``--dir`` holds one;
2. loads it as the Qwen config does (``BitsAndBytesConfig``: NF4, double quantisation; compute
   in bfloat16 on CUDA, float32 on the CPU), then ``prepare_model_for_kbit_training`` with
   gradient checkpointing and LoRA r 16 on q/k/v/o; prints the load time and the memory held;
3. times QLoRA steps (AdamW on the LoRA weights, random tokens) at batch 1 × 128 tokens, and
   measures the peak memory of a step at 1 × 128 and at 2 × 256 tokens;
4. estimates the seed's batch (4 × 256, gradient checkpointing) on a 16 GB T4 from what it
   measured: the model's weights as a GPU holds them (4-bit blocks as they are, the other frozen
   weights in 16 bits, LoRA in float32), AdamW's states, and the activations of 1,024 tokens at
   the cost per token measured between the two peaks (float32 on the CPU, halved for a GPU's
   16-bit compute), plus about 1 GiB of CUDA context when measured on the CPU.

Memory is the process's peak resident set on the CPU (``VmHWM``, reset before each phase through
``/proc/self/clear_refs``), ``torch.cuda.max_memory_allocated`` on CUDA.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import torch

from training import qwen_like

GIB = 1024 ** 3
T4_USABLE = 15.0  # GiB of a 16 GB T4 that CUDA lets a process allocate, about


def peak_reset(cuda: bool) -> None:
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    else:
        Path("/proc/self/clear_refs").write_text("5")


def _status_gib(field: str) -> float:
    """A memory line of /proc/self/status (VmHWM: peak resident set, VmRSS: resident now), in GiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024 / GIB
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_gib(cuda: bool) -> float:
    return torch.cuda.max_memory_allocated() / GIB if cuda else _status_gib("VmHWM")


def build_full(directory: Path) -> None:
    started = time.perf_counter()
    model = qwen_like.build_model("full").to(torch.bfloat16)
    model.save_pretrained(directory)
    qwen_like.build_tokenizer().save_pretrained(directory)
    print(f"built {sum(p.numel() for p in model.parameters()) / 1e9:.2f} B parameters in "
          f"{time.perf_counter() - started:.0f} s -> {directory}")


def load(directory: Path, cuda: bool):
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, BitsAndBytesConfig

    compute = torch.bfloat16 if cuda else torch.float32
    quant = BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                               bnb_4bit_compute_dtype=compute)
    model = AutoModelForCausalLM.from_pretrained(directory, quantization_config=quant, dtype=compute,
                                                 device_map={"": 0} if cuda else None)
    model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=True)
    lora = LoraConfig(r=16, lora_alpha=32, lora_dropout=0.05, target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
                      task_type="CAUSAL_LM")
    return get_peft_model(model, lora)


def step(model, optimizer, batch: int, tokens: int, device: str) -> float:
    ids = torch.randint(0, 151_643, (batch, tokens), device=device)
    started = time.perf_counter()
    loss = model(input_ids=ids, labels=ids).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if device == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description="Qwen1.5-1.8B's architecture in NF4 with QLoRA: load time, memory, "
                                                 "seconds per step, and whether the seed's batch fits a T4.")
    parser.add_argument("--dir", type=Path, default=Path("runs/qwen-full"), help="the full-size checkpoint (built when missing)")
    parser.add_argument("--steps", type=int, default=3, help="timed steps at 1 x 128 tokens (the first is a warm-up)")
    args = parser.parse_args()
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    if not (args.dir / "config.json").exists():
        build_full(args.dir)

    peak_reset(cuda)
    started = time.perf_counter()
    model = load(args.dir, cuda)
    loaded = time.perf_counter() - started
    held = torch.cuda.memory_allocated() / GIB if cuda else _status_gib("VmRSS")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"device                 {torch.cuda.get_device_name() if cuda else 'cpu'}")
    print(f"load (NF4 + LoRA)      {loaded:.1f} s, {held:.2f} GiB held ({'allocated' if cuda else 'resident'}), "
          f"{trainable / 1e6:.2f} M trainable")

    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=2e-4)
    times = [step(model, optimizer, 1, 128, device) for _ in range(max(args.steps, 2))]
    print(f"QLoRA step 1 x 128     {statistics.median(times[1:]):.2f} s (median of {len(times) - 1}; first {times[0]:.2f} s)")

    peaks = {}
    for batch, tokens in ((1, 128), (2, 256)):
        peak_reset(cuda)
        seconds = step(model, optimizer, batch, tokens, device)
        peaks[batch * tokens] = peak_gib(cuda)
        print(f"peak, step {batch} x {tokens:<4d}   {peaks[batch * tokens]:.2f} GiB ({seconds:.1f} s)")

    # The seed's batch on a T4, from what was measured: the weights as a GPU holds them (the 4-bit
    # blocks as they are, every other frozen weight in 16 bits, LoRA in float32), AdamW's two
    # float32 states per LoRA weight, and the activations of 1,024 tokens at the measured cost
    # per token (float32 on the CPU: halved for 16-bit compute), plus CUDA's context.
    per_token = (peaks[512] - peaks[128]) / (512 - 128)
    quantised = sum(p.numel() * p.element_size() for p in model.parameters() if p.dtype in (torch.uint8, torch.int8))
    lora = sum(p.numel() * 4 for p in model.parameters() if p.requires_grad)
    frozen16 = sum(p.numel() * 2 for p in model.parameters() if not p.requires_grad
                   and p.dtype not in (torch.uint8, torch.int8))
    weights = (quantised + lora + frozen16) / GIB
    activations = per_token * 1024 * (1 if cuda else 0.5)
    context = 0.0 if cuda else 1.0  # CUDA context and allocator slack, about (measured peaks include it on CUDA)
    estimate = weights + 2 * lora / GIB + activations + context
    print(f"activations            {per_token * 1024 ** 2:.0f} KiB a token here "
          f"(slope between the two peaks; {'as on the GPU' if cuda else 'float32'})")
    print(f"seed batch 4 x 256     {estimate:.2f} GiB on a T4: weights {weights:.2f} (4-bit {quantised / GIB:.2f}, "
          f"16-bit frozen {frozen16 / GIB:.2f}, LoRA {lora / GIB:.3f}), AdamW {2 * lora / GIB:.3f}, "
          f"activations {activations:.2f}, CUDA context {context:.1f}")
    print(f"T4 (16 GB, ~{T4_USABLE:.0f} GiB usable): {'fits' if estimate <= T4_USABLE else 'does not fit'}")


if __name__ == "__main__":
    main()
