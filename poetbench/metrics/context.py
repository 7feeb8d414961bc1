"""``Poems``: what the metrics of one scoring pass share, handed to each producer's ``measure``.

The scorer builds one ``Poems`` for a chunk of outputs and calls the producers of the registry
(``metrics/registry.py``) in order; each returns its columns (``{key: [value per poem]}``) and
the scorer writes them into ``records``, so a later producer reads an earlier one's keys there
(``adherence`` reads ``form_ok``, ``poetscore`` the whole record). A key a producer leaves out
(no reference corpus, no ``--lm``) stays ``None``.

What is costly to build and read by several producers is built once, on first use: the
Simplified ``TextBatch`` of the lines, and the 平仄 and rhyme reading of the regulated poems
(``rhyme.read``, ``tone_pattern.tones``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from poetbench.text.batch import TextBatch

if TYPE_CHECKING:
    from poetbench.metrics.adherence import Prompt
    from poetbench.metrics.copying import CopyIndex
    from poetbench.phonology.book import RhymeBook
    from poetbench.text.extract import Extraction


@dataclass
class Poems:
    extractions: list[Extraction]
    prompts: list[Prompt | None]  # what each prompt asked, or None
    requested: list[str | None]  # the form key each prompt asked for, or None
    book: RhymeBook
    tunes: list[str | None] | None = None  # the tune (词牌) each prompt asked for, or None
    strict: bool = False  # 平仄: strict (every position) or lenient (一三五不论 where allowed)
    detail: bool = False  # keep the detail behind the 平仄 and rhyme reading (for display)
    reference: CopyIndex | None = None  # the copy metrics' corpus (--reference)
    neural: object | None = None  # a NeuralLM (--lm), for lm_bpc
    records: list[dict] = field(default_factory=list)  # the scores so far, one dict per poem
    shared: dict = field(default_factory=dict)  # intermediate results producers share (``rhyme.read``, ``tone_pattern.tones``)

    def __post_init__(self):
        if self.tunes is None:
            self.tunes = [None] * len(self.extractions)
        if not self.records:
            self.records = [{} for _ in self.extractions]

    def __len__(self) -> int:
        return len(self.extractions)

    @property
    def lines(self) -> list[list[str]]:
        """Each poem's lines as written."""
        return [e.lines for e in self.extractions]

    @cached_property
    def simplified(self) -> TextBatch:
        """Each poem's lines in Simplified script, as one ``TextBatch`` (the style and content
        metrics read this form)."""
        return TextBatch(self.lines, simplify=True)

    def column(self, key: str) -> list:
        """One key of every record so far."""
        return [record.get(key) for record in self.records]
