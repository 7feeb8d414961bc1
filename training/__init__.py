"""The QLoRA training recipe (see training/README section in the project README)."""
