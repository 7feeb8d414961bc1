"""poetbench: numbers, not screenshots, for LLMs fine-tuned to write classical Chinese poetry."""

__version__ = "0.4.0"

__all__ = ["Scorer", "score", "__version__"]


def __getattr__(name):  # the scoring API loads on first use, keeping `poetbench --help` quick
    if name in ("Scorer", "score"):
        from poetbench import scoring

        return getattr(scoring, name)
    raise AttributeError(name)
