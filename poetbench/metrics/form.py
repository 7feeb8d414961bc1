"""Form: line count, line lengths, and which verse form they make.

========================  ====================================================================
``form``                  the form the line lengths make (``forms.detect``: wujue … gushi, other)
``n_lines``               lines of the poem
``line_lengths``          characters per line
``length_regularity``     share of lines at the poem's most common length (None without lines)
``form_ok``               the poem has the requested form (``forms.fits``), or a regulated one
                          (``forms.REGULATED``) when none is asked for
``extract_warnings``      what extraction was unsure of (``text/extract.py``), kept beside the form
========================  ====================================================================

The forms themselves, their names and shapes, live in ``poetbench/forms.py``.
"""

from __future__ import annotations

from poetbench.forms import OTHER, REGULATED, detect, fits, modal_length
from poetbench.metrics.context import Poems


def score(lines: list[str], requested_form: str | None = None) -> dict:
    """Form keys of the score record for a poem already split into lines; ``requested_form`` is
    a form key (``forms.form_key``)."""
    lengths = list(map(len, lines))
    if lengths:
        form, regularity = detect(lengths), modal_length(lengths)[1] / len(lengths)
    else:
        form, regularity = OTHER, None
    form_ok = fits(requested_form, lengths) if requested_form else form in REGULATED
    return {
        "form": form,
        "n_lines": len(lines),
        "line_lengths": lengths,
        "length_regularity": regularity,
        "form_ok": form_ok,
    }


def measure(poems: Poems) -> dict[str, list]:
    """The form keys of every poem, as written, against the form its prompt asked for; and what
    extraction warned of."""
    records = [score(lines, requested) for lines, requested in zip(poems.lines, poems.requested)]
    columns = {key: [record[key] for record in records] for key in records[0]} if records else {}
    columns["extract_warnings"] = [e.warnings for e in poems.extractions]
    return columns
