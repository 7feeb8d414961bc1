"""Form: line count, line lengths, and which verse form they make.

=========  ===========================================
wujue      五言绝句: 4 lines of 5 characters
qijue      七言绝句: 4 lines of 7 characters
wulv       五言律诗: 8 lines of 5 characters
qilv       七言律诗: 8 lines of 7 characters
pailv      排律: an even number (10 or more) of 5- or 7-character lines
gushi      古诗: 4 or more lines, three quarters of them of one length from 4 to 7, not the above
other      anything else (prose, one line, broken output)
=========  ===========================================

A requested form (a row's ``form``, ``Scorer.score(form=…)``) may be named by its key in any
case (``WUJUE``), by its name in ``FORM_NAMES`` or ``SHORT_NAMES`` (五言绝句, 五绝) or by one of
``OTHER_NAMES`` (古体, 五言排律), in Simplified or Traditional (七絕): ``form_key`` gives the key.
"""

from __future__ import annotations

from collections import Counter

REGULATED = ("wujue", "qijue", "wulv", "qilv", "pailv")
FORMS = REGULATED + ("gushi", "other")
FORM_NAMES = {"wujue": "五言绝句", "qijue": "七言绝句", "wulv": "五言律诗", "qilv": "七言律诗", "pailv": "排律",
              "gushi": "古诗"}
SHORT_NAMES = {"wujue": "五绝", "qijue": "七绝", "wulv": "五律", "qilv": "七律", "pailv": "排律", "gushi": "古诗"}
OTHER_NAMES = {"pailv": ("五言排律", "七言排律", "五排", "七排", "长律"),
               "gushi": ("古体", "古体诗", "古风", "五古", "七古", "五言古诗", "七言古诗")}
GUSHI_MIN_REGULARITY = 0.75

_KEYS = {**{key: key for key in FORMS}, **{name: key for names in (FORM_NAMES, SHORT_NAMES) for key, name in names.items()},
         **{name: key for key, names in OTHER_NAMES.items() for name in names}}
_TO_SIMPLIFIED = str.maketrans("絕詩體風長", "绝诗体风长")  # the only Traditional characters of the names above


def form_key(name) -> str | None:
    """The form key (``qilv``) of a requested form's name (``qilv``, ``QILV``, ``七律``, ``七言律詩``;
    module docstring); None for anything else."""
    if not isinstance(name, str):
        return None
    return _KEYS.get(name.strip().lower().translate(_TO_SIMPLIFIED))


def _mode(line_lengths: list[int]) -> tuple[int, int]:
    """(modal length, how many lines have it)."""
    first = line_lengths[0]
    count = line_lengths.count(first)
    if count == len(line_lengths):
        return first, count
    return Counter(line_lengths).most_common(1)[0]


def detect(line_lengths: list[int]) -> str:
    """The form named by the line count and line lengths (see the module table)."""
    n = len(line_lengths)
    if n == 0:
        return "other"
    return _detect(n, *_mode(line_lengths))


def _detect(n: int, size: int, count: int) -> str:
    if count == n and size in (5, 7) and n % 2 == 0 and n >= 4:
        if n == 4:
            return "wujue" if size == 5 else "qijue"
        if n == 8:
            return "wulv" if size == 5 else "qilv"
        if n >= 10:
            return "pailv"
    if n >= 4 and 4 <= size <= 7 and count / n >= GUSHI_MIN_REGULARITY:
        return "gushi"
    return "other"


def score(lines: list[str], requested_form: str | None = None) -> dict:
    """Form keys of the score record for a poem already split into lines."""
    lengths = list(map(len, lines))
    if lengths:
        size, count = _mode(lengths)
        form, regularity = _detect(len(lengths), size, count), count / len(lengths)
    else:
        form, regularity = "other", None
    form_ok = form == requested_form if requested_form else form in REGULATED
    return {
        "form": form,
        "n_lines": len(lines),
        "line_lengths": lengths,
        "length_regularity": regularity,
        "form_ok": form_ok,
    }
