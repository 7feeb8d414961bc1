"""Verse forms: their keys and names, their line shapes, and the form a poem's line lengths make.

==========  ========  =====  ======================================================================
key         name      short  shape
==========  ========  =====  ======================================================================
wujue       五言绝句  五绝   4 lines of 5 characters
qijue       七言绝句  七绝   4 lines of 7 characters
wulv        五言律诗  五律   8 lines of 5 characters
qilv        七言律诗  七律   8 lines of 7 characters
pailv       排律      排律   an even number (10 or more) of lines, all of 5 or all of 7 characters
gushi       古诗      古诗   4 or more lines, three quarters of them of one length from 4 to 7, not the above
ci          词        词     verse to a tune (词牌): a form of the 词谱 (``cipu.py``), read by ``metrics/form.py``
other                        anything else (prose, one line, broken output): not a form, the verdict for none
==========  ========  =====  ======================================================================

This module is the one home of these facts: ``data prepare --forms``, the eval sets' ``form``
field, ``check --form``, the SFT templates (写一首七言绝句…), the views and the form metric
(``metrics/form.py``) all read them here. Its rules:

1. **One entry a form.** A form is one ``Form`` in ``TABLE``: its key (lower-case ASCII, what rows,
   records and the command line carry), its name (Chinese, and shown first wherever a person reads
   it), its short name, the other names it goes by, its shape, and whether it is regulated.
2. **A shape is line lengths.** A form of fixed shape lists the lengths of its lines in order,
   one tuple for each accepted 体 (``shapes``); a form whose shape is a rule rather than a list
   (排律, 古诗) has ``shapes=()`` and a ``rule`` on (lines, modal length, lines of that length).
3. **Detection.** ``detect`` names the form of a poem's line lengths: the first entry of
   ``TABLE`` with exactly that shape, else the first whose rule holds, else ``other``. Two
   entries may share a shape (生查子 and 五律 are both eight lines of five): ``detect`` names the
   earlier one, and ``fits`` says whether a poem has the shape of a form it was asked for.
4. **Regulated** (``REGULATED``, 近体诗): the forms measured by the 平仄 and rhyme checks
   (``metrics/tone_pattern.py``, ``metrics/rhyme.py``) and taken as ``form_ok`` when no form is
   asked for. ``QUATRAINS_AND_OCTAVES`` (绝句 and 律诗) are the four of fixed shape: what
   ``data prepare`` keeps by default and the eval sets ask for.
5. **Names.** A requested form may be named by its key in any case (``WUJUE``), by its name,
   its short name or another name (五言绝句, 五绝, 五言排律, 古体), in Simplified or Traditional
   (七絕): ``form_key`` gives the key, and knows no name twice.
6. **Ground floor.** It imports nothing from poetbench but the 词谱 beside it, so data, eval sets, metrics, SFT and the
   views can all read it.
7. **词** is one entry, ``ci``, whose shapes are the 词谱's: each tune (词牌) and its forms
   (又一体) live in ``cipu.py`` (built from the 全宋词 by ``tools/build_cipu.py``), and
   ``metrics/form.py`` reads a poem as one of them by its title, its request or its shape. A
   requested form may name a tune (``如梦令``, ``念奴娇``): ``form_key`` gives ``ci`` and
   ``cipu.tune`` the tune. ``detect`` never gives ``ci``: line lengths alone do not tell a 七绝
   from half a 浣溪沙, and a 诗 shape stays 诗 unless a title or a request says otherwise.
8. **A request in free text.** A prompt with no ``form`` field may name its form in its text
   (``写一首七言律诗``, ``以秋为题，作一首五绝``): ``form_in_text`` finds it (the name right after
   一首, 作, 写 … first); a tune named in the text is read by ``metrics/adherence.py``. 古诗 in
   free text is any classical poem (写一首古诗, the topic template's own words) and asks for none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

GUSHI_MIN_REGULARITY = 0.75  # 古诗: the share of lines at the modal length, at least


@dataclass(frozen=True)
class Form:
    key: str  # what rows, records and the command line carry: "qilv"
    name: str  # the Chinese name, shown first: 七言律诗
    short: str  # 七律 (the name itself when it has no shorter one)
    shapes: tuple[tuple[int, ...], ...] = ()  # line lengths, in order, of each accepted 体; () when ``rule`` decides
    rule: Callable[[int, int, int], bool] | None = None  # (lines, modal length, lines of that length) -> a fit
    regulated: bool = False  # 近体诗: measured by the 平仄 and rhyme checks
    aliases: tuple[str, ...] = ()  # other names a requested form may go by (Simplified)


def _pailv(n: int, size: int, count: int) -> bool:
    return count == n and size in (5, 7) and n % 2 == 0 and n >= 10


def _gushi(n: int, size: int, count: int) -> bool:
    return n >= 4 and 4 <= size <= 7 and count / n >= GUSHI_MIN_REGULARITY


TABLE = (
    Form("wujue", "五言绝句", "五绝", shapes=((5,) * 4,), regulated=True),
    Form("qijue", "七言绝句", "七绝", shapes=((7,) * 4,), regulated=True),
    Form("wulv", "五言律诗", "五律", shapes=((5,) * 8,), regulated=True),
    Form("qilv", "七言律诗", "七律", shapes=((7,) * 8,), regulated=True),
    Form("pailv", "排律", "排律", rule=_pailv, regulated=True,
         aliases=("五言排律", "七言排律", "五排", "七排", "长律")),
    Form("gushi", "古诗", "古诗", rule=_gushi,
         aliases=("古体", "古体诗", "古风", "五古", "七古", "五言古诗", "七言古诗")),
    Form("ci", "词", "词", aliases=("宋词", "词牌", "填词", "长短句")),
)
CI = "ci"
OTHER = "other"  # the verdict for line lengths of no form

BY_KEY: dict[str, Form] = {form.key: form for form in TABLE}
FORMS = (*BY_KEY, OTHER)  # every verdict ``detect`` can give: what a row's ``form`` may hold
REGULATED = tuple(form.key for form in TABLE if form.regulated)
QUATRAINS_AND_OCTAVES = ("wujue", "qijue", "wulv", "qilv")  # 绝句 and 律诗
FORM_NAMES = {form.key: form.name for form in TABLE}  # the forms a prompt may ask for, by their names
DISPLAY_NAMES = {**FORM_NAMES, OTHER: "其他 not verse of a known form"}  # as the views show it

_BY_SHAPE: dict[tuple[int, ...], str] = {}
for _form in TABLE:
    for _shape in _form.shapes:
        _BY_SHAPE.setdefault(_shape, _form.key)
_RULED = tuple(form for form in TABLE if form.rule is not None)

_KEYS: dict[str, str] = {}
for _form in TABLE:
    for _name in (_form.key, _form.name, _form.short, *_form.aliases):
        if _KEYS.setdefault(_name, _form.key) != _form.key:
            raise ValueError(f"forms: the name {_name} is given to both {_KEYS[_name]} and {_form.key}")
_KEYS[OTHER] = OTHER
_TO_SIMPLIFIED = str.maketrans("絕詩體風長詞", "绝诗体风长词")  # the only Traditional characters of the names above


def form_key(name) -> str | None:
    """The form key (``qilv``) of a requested form's name (``qilv``, ``QILV``, ``七律``, ``七言律詩``;
    rule 5), ``ci`` for a tune's (``如梦令``; rule 7); None for anything else."""
    if not isinstance(name, str):
        return None
    key = _KEYS.get(name.strip().lower().translate(_TO_SIMPLIFIED))
    if key is None:
        from poetbench import cipu

        key = CI if cipu.tune(name) is not None else None  # a tune's name asks for 词 (rule 7)
    return key


# A form named in a request's free text (rule 8): a name of two or more characters, longest first.
_LOOSE = ("古诗",)  # 写一首古诗 asks for a classical poem, not a 古体诗: no request in free text
_NAMED_FORM = re.compile("|".join(sorted((re.escape(n) for n in _KEYS if len(n) >= 2 and not n.isascii()
                                          and n not in _LOOSE), key=len, reverse=True)))
_TITLED = re.compile(r"《[^《》]*》")
_ASKED = re.compile(r"(?:一首|首|作|写|填|赋|来)")  # the words before the form a request asks for


def form_in_text(text) -> str | None:
    """The form key a request's free text names (rule 8): ``写一首七言律诗`` and ``以秋为题，作一首七律``
    give ``qilv``; the name right after 一首 (作, 写 …) when there is one, else the first named;
    None when it names none. What a 《》 holds is a title (``以《古风》为题`` asks for no 古风)."""
    if not isinstance(text, str):
        return None
    text = _TITLED.sub("《》", text.translate(_TO_SIMPLIFIED))  # 以《古风》为题: a title names no form
    found = list(_NAMED_FORM.finditer(text))
    if not found:
        return None
    asked = [m for m in found if _ASKED.search(text, max(0, m.start() - 2), m.start())]
    return _KEYS[(asked or found)[0].group()]


def modal_length(line_lengths: Sequence[int]) -> tuple[int, int]:
    """(the most common line length, how many lines have it) of a poem with at least one line;
    of lengths equally common, the first to occur."""
    first = line_lengths[0]
    count = line_lengths.count(first)
    if count == len(line_lengths):
        return first, count
    counts: dict[int, int] = {}
    for size in line_lengths:
        counts[size] = counts.get(size, 0) + 1
    size = max(counts, key=counts.__getitem__)  # the first of the commonest: dicts keep their order
    return size, counts[size]


def detect(line_lengths: Sequence[int]) -> str:
    """The form a poem of these line lengths has (rule 3): an exact shape, else a rule, else other."""
    key = _BY_SHAPE.get(tuple(line_lengths))
    if key is not None:
        return key
    if not line_lengths:
        return OTHER
    n, (size, count) = len(line_lengths), modal_length(line_lengths)
    for form in _RULED:
        if form.rule(n, size, count):
            return form.key
    return OTHER


def fits(key: str, line_lengths: Sequence[int]) -> bool:
    """Whether a poem of these line lengths has form ``key``: one of its shapes, or for a form
    whose shape is a rule, the form ``detect`` names."""
    form = BY_KEY.get(key)
    if form is not None and form.shapes:
        return tuple(line_lengths) in form.shapes
    return detect(line_lengths) == key
