"""Generation backends of ``poetbench run``, by the name ``--backend`` takes.

A backend is one module here and one row of ``BACKENDS``: the module has
``from_settings(settings, checkpoints)``, which builds an object whose
``generate(checkpoint, items, gen_kwargs, seed)`` returns one ``{"output": …}`` per item
(``file.py`` is the smallest example). The runner imports the module only when it is asked for.
"""

BACKENDS = {
    "hf": "poetbench.generation.hf",  # transformers + peft: base + adapters, batched, seeded
    "openai": "poetbench.generation.openai",  # an OpenAI-compatible server (vLLM, llama.cpp, an API)
    "file": "poetbench.generation.file",  # outputs already written, one JSONL file per label
}
