"""Reproducible CPU numerics: the same trained model, so the same figures, on every x86-64 machine.

torch on a CPU picks its kernels by machine. Four choices change the last bits of a float: the
vector ISA that ATen dispatches to (AVX2 or AVX-512), the code path of MKL's matrix products,
oneDNN's ISA, and the number of threads (it fixes the order of every parallel sum). A 0.7 M
parameter model pre-trained for 600 steps and tuned for 200 turns those bits into another model:
on an AVX-512 machine the unpinned demo's base chatted in 4% of its answers, on an AVX2 one in 56%
(issue 28).

Rules:

* ``pin()`` fixes all four for this process and the processes it starts, overriding whatever the
  shell set: ``ATEN_CPU_CAPABILITY=avx2``, ``MKL_CBWR=AVX2`` (MKL's conditional numerical
  reproducibility), ``ONEDNN_MAX_CPU_ISA=AVX2``, ``OMP_NUM_THREADS=MKL_NUM_THREADS=2`` and torch's
  intra-op threads 2. AVX2 because every machine the project runs on has it (AVX2 alone, or
  AVX-512 with AVX2 beneath); two threads because the target machine has two cores. A machine
  with more cores or a wider ISA trains more slowly than it could, and to the same figures.
* torch reads the ISA once, at its first vectorised operation, and MKL its path at its first
  product: ``pin()`` runs before torch loads. Run after torch has computed, it can still fix the
  threads; the record it returns says what it could not pin.
* Who pins: ``poetbench demo`` and the training entry points (``python -m training.tiny``, ``training.train``,
  ``python -m training.grpo``) when they train on the CPU. Turned off by ``poetbench demo
  --native-numerics``, by a training config's ``reproducible_numerics: false``, or by
  ``POETBENCH_NATIVE_NUMERICS=1``: faster where the machine allows, other figures.
* On a CPU without AVX2, torch falls back to a narrower ISA and the record says so: its figures
  are its own.
"""

from __future__ import annotations

import os
import sys

ISA = "avx2"
THREADS = 2
ENVIRONMENT = {
    "ATEN_CPU_CAPABILITY": ISA,          # ATen's vectorised kernels
    "MKL_CBWR": "COMPATIBLE",            # MKL's matrix products (torch's BLAS on x86-64): its one vendor-neutral path
    "ONEDNN_MAX_CPU_ISA": ISA.upper(),   # oneDNN's kernels
    "OMP_NUM_THREADS": str(THREADS),     # the order of every parallel reduction
    "MKL_NUM_THREADS": str(THREADS),
}
OFF_VARIABLE = "POETBENCH_NATIVE_NUMERICS"


def wanted(setting: bool | None = True) -> bool:
    """Whether to pin: ``setting`` (a flag or config key; None counts as on) unless
    ``POETBENCH_NATIVE_NUMERICS=1`` turns pinning off."""
    return setting is not False and os.environ.get(OFF_VARIABLE, "") not in ("1", "true", "yes")


def pin() -> dict:
    """Pin the four choices (see the module's rules) and return what holds now: ``{"pinned":
    True, "isa": "AVX2", "threads": 2, "unpinned": [...]}``, ``unpinned`` naming what could not
    be pinned (torch loaded earlier with another ISA, a CPU without AVX2)."""
    loaded_before = "torch" in sys.modules
    os.environ.update(ENVIRONMENT)
    import torch

    torch.set_num_threads(THREADS)
    isa = torch.backends.cpu.get_cpu_capability()
    unpinned = []
    if isa != ISA.upper():
        unpinned.append(f"ATen's ISA is {isa}, not {ISA.upper()}"
                        + (" (torch computed before the pin)" if loaded_before else " (this CPU has no AVX2)"))
    return {"pinned": True, "isa": isa, "threads": torch.get_num_threads(), "unpinned": unpinned}


def pin_if_wanted(setting: bool | None = True, log=None) -> dict:
    """``pin()`` when wanted (see ``wanted``), else ``{"pinned": False}``; a line to ``log`` when
    something could not be pinned, since the figures then are this machine's own."""
    if not wanted(setting):
        return {"pinned": False}
    record = pin()
    if record["unpinned"] and log:
        log("numerics: " + "; ".join(record["unpinned"]) + ": trained figures may differ from other machines'")
    return record


def current() -> dict:
    """What torch computes with now, for a training manifest: the ISA, the threads and MKL's path."""
    import torch

    return {"isa": torch.backends.cpu.get_cpu_capability(), "threads": torch.get_num_threads(),
            "mkl_cbwr": os.environ.get("MKL_CBWR")}
