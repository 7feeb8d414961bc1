"""Generation backends of ``poetbench run``: hf (transformers + peft), openai (an OpenAI-compatible server), file."""
