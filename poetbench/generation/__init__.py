"""Generation backends: hf (transformers + peft) for now; the runner adds openai and file."""
