"""Form: line count, line lengths, and which verse form they make.

========================  ====================================================================
``form``                  the form (``forms.detect``: wujue … gushi, other; or ``ci``, below)
``n_lines``               lines of the poem
``line_lengths``          characters per line
``length_regularity``     share of lines at the poem's most common length (None without lines)
``form_ok``               the poem has the requested form (``forms.fits``), or a regulated one
                          (``forms.REGULATED``) when none is asked for; a 词, a form of its tune
                          to the character, its 叠句 repeated
``cipai``                 for a 词: the tune (词牌), by its 词谱 name
``ci_form``               for a 词: the form of the tune it was read as (``95字``)
``ci_reading``            for a 词: how the tune was found (``by``: title, request or shape), the
                          other tunes of that shape (``also``) and the lines off the form
                          (``off``: [line, the poem's characters, the form's]) and the 叠句 not
                          repeated (``repeats``: lines)
``extract_warnings``      what extraction was unsure of (``text/extract.py``), kept beside the form
========================  ====================================================================

**Reading a 词.** The tune comes from the poem's title (``《浣溪沙》``, ``浣溪沙·春景``,
``词牌：浣溪沙``, what extraction dropped as a title), else from the request (a prompt's
``cipai``, a form or a 《》 naming a tune), else from the shape: a poem whose line lengths are
no 近体诗 and whose length and breaks are a form of the 词谱 (``cipu.match``). A 近体诗 shape
(a 七绝 is also half a 浣溪沙 and a 竹枝) is 诗 unless the title or request names a tune; a
titled tune gives way to a 诗 form the request asks for and the shape has, and to a 诗 shape
none of the tune's forms has the length of (《出塞》 is a 七绝's title, and another name of 谒金门). A poem off its tune's
form by a character or two is that form with those lines off (``form_ok`` false), not another
form.

The forms themselves, their names and shapes, live in ``poetbench/forms.py``; the tunes in
``poetbench/cipu.py``.
"""

from __future__ import annotations

from poetbench import cipu
from poetbench.forms import CI, OTHER, REGULATED, detect, fits, modal_length
from poetbench.metrics.context import Poems
from poetbench.text.script import simplify_chars

FIXED_SHAPE = frozenset(REGULATED)  # 近体诗: a shape these have is read as 诗 unless a tune is named


def score(lines: list[str], requested_form: str | None = None, title: str | None = None,
          requested_tune: str | None = None) -> dict:
    """Form keys of the score record for a poem already split into lines; ``requested_form`` is
    a form key (``forms.form_key``), ``title`` what extraction took for the title,
    ``requested_tune`` the tune a prompt asked for."""
    return read(lines, requested_form, title, requested_tune)[0]


def read(lines: list[str], requested_form: str | None = None, title: str | None = None,
         requested_tune: str | None = None, simplified: list[str] | None = None) -> tuple[dict, cipu.CiMatch | None]:
    """``score``, and the poem's 词 reading (None for a 诗 or no verse); ``simplified`` is the
    lines in Simplified script where the caller has them already."""
    lengths = list(map(len, lines))
    if lengths:
        form, regularity = detect(lengths), modal_length(lengths)[1] / len(lengths)
    else:
        form, regularity = OTHER, None
    reading = read_ci(lines, form, requested_form, title, requested_tune, simplified)
    if reading is not None:
        form = CI
        form_ok = (reading.exact and not reading.broken_repeats and requested_form in (None, CI)
                   and requested_tune in (None, reading.form.tune))
    else:
        form_ok = fits(requested_form, lengths) if requested_form else form in REGULATED
    record = {"form": form, "n_lines": len(lines), "line_lengths": lengths, "length_regularity": regularity,
              "form_ok": form_ok, "cipai": None, "ci_form": None, "ci_reading": None}
    if reading is not None:
        record.update(cipai=reading.form.tune, ci_form=reading.form.name,
                      ci_reading={"by": reading.by, "also": list(reading.also), "off": [list(o) for o in reading.off],
                                  "repeats": list(reading.broken_repeats)})
    return record, reading


def read_ci(lines: list[str], form: str, requested_form: str | None, title: str | None,
            requested_tune: str | None, simplified: list[str] | None = None) -> cipu.CiMatch | None:
    """The 词 reading of a poem (module docstring), or None: it is read as 诗 or not verse."""
    if not lines:
        return None
    if simplified is None:
        simplified = simplify_chars("\n".join(lines)).split("\n")  # one character for one: the lines keep their lengths
    titled = cipu.tune(simplify_chars(title)) if title else None
    asks_shi = requested_form not in (None, CI) and fits(requested_form, list(map(len, lines)))
    shi_shape = form in FIXED_SHAPE and not any(f.length == sum(map(len, lines)) for f in titled.forms) if titled else False
    if titled is not None and not asks_shi and not shi_shape:
        return cipu.match(simplified, titled.name, "title")
    if requested_tune is not None:
        return cipu.match(simplified, requested_tune, "request")
    if requested_form == CI or (requested_form is None and form not in FIXED_SHAPE):
        return cipu.match(simplified)
    return None


def title_of(extraction) -> str | None:
    """The first title extraction dropped, if any."""
    titles = extraction.removed.get("title")
    return titles[0] if titles else None


def measure(poems: Poems) -> dict[str, list]:
    """The form keys of every poem, as written, against the form its prompt asked for; and what
    extraction warned of. The 词 readings are kept for the meter (``poems.shared["ci"]``)."""
    scored = [read(e.lines, requested, title_of(e), tune, simple)
              for e, requested, tune, simple in zip(poems.extractions, poems.requested, poems.tunes,
                                                   poems.simplified.poems)]
    poems.shared["ci"] = {i: reading for i, (_, reading) in enumerate(scored) if reading is not None}
    records = [record for record, _ in scored]
    columns = {key: [record[key] for record in records] for key in records[0]} if records else {}
    columns["extract_warnings"] = [e.warnings for e in poems.extractions]
    columns["requested_form"] = list(poems.requested)
    return columns
