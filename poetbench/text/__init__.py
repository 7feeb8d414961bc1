"""Text handling: script conversion, line splitting and poem extraction from model output."""

from poetbench.text.extract import Extraction, extract_poem
from poetbench.text.lines import split_lines
from poetbench.text.script import to_simplified, to_traditional

__all__ = ["Extraction", "extract_poem", "split_lines", "to_simplified", "to_traditional"]
