"""The QLoRA training recipe (docs/training.md). ``CONFIGS``: its YAML configs, shipped with the package."""

from pathlib import Path

CONFIGS = Path(__file__).resolve().parent / "configs"
