"""Many poems as one array of code points, so that metrics run as array operations.

Lines are joined by newlines (code point 10) in one string; every position knows its line and
its poem. The style and content metrics share one ``TextBatch`` instead of each re-encoding
the text.
"""

from __future__ import annotations

import numpy as np

from poetbench.text.script import code_points, from_points, simplify_points

NEWLINE = 10


class TextBatch:
    """``poems`` (each a list of lines) as arrays; ``simplify`` converts 繁 to 简 on the way,
    and then ``poems`` and ``lines`` hold the Simplified text."""

    def __init__(self, poems: list[list[str]], simplify: bool = False):
        self.n = len(poems)
        self.lines = [line for lines in poems for line in lines]
        self.points = code_points("\n".join(self.lines))
        if simplify:
            self.points = simplify_points(self.points)
            if self.lines:
                self.lines = from_points(self.points).split("\n")
        self.is_break = self.points == NEWLINE
        self.line_of = np.cumsum(self.is_break) - self.is_break  # a newline belongs to the line it ends
        counts = [len(lines) for lines in poems]
        self.poem_of_line = np.repeat(np.arange(self.n), counts)
        self.poem_of = self.poem_of_line[self.line_of] if self.lines else np.zeros(0, dtype=np.intp)
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(int) if counts else []
        self.poems = [self.lines[s:s + c] for s, c in zip(starts, counts)]

    def per_poem(self, mask: np.ndarray) -> np.ndarray:
        """How many positions of each poem ``mask`` selects."""
        return np.bincount(self.poem_of[mask], minlength=self.n)
