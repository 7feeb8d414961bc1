"""Language statistics of classical verse, for ``fluency`` and ``coherence`` (``lm=v1``)."""
