"""Derive the 词谱 (poetbench/resources/cipu-v1.json.gz) from the 全宋词 of the corpus.

``tools/build_cipu.py`` writes the resource with ``build``; ``bench/ci_validation.py`` derives
forms from part of the corpus with ``gather`` and ``form_of`` to check the rest (cross-validation).

How forms are found (docs/ci.md has the reasons and what was measured):

1. **Tunes.** Each ci's tune is its ``rhythmic`` (``A・B``: A is another name of B); labels that
   name no tune (``NOT_TUNES``: 失调名, 自度曲, 乐语) and ci with a lacuna (□) are left out. A
   tune enters the 词谱 with its forms below. A tune whose main form has a commoner tune's length
   and line breaks, with 平仄 marks that agree with its on at least ``TWIN_AGREE`` of the
   positions both fix (at least ``TWIN_MIN`` of them), is another name of that tune (思佳客 of
   鹧鸪天, 卖花声 of 浪淘沙, 水调 of 水调歌头); so is a tune the corpus itself names as another
   name of a commoner one (水调歌 of 水调歌头).
2. **Forms (又一体).** The ci of a tune are grouped by total length in characters. A length is a
   form when it holds at least ``MIN_FORM`` ci (the commonest length ``MIN_MAIN``) and
   ``MIN_FORM_SHARE`` of the tune's, at most ``MAX_FORMS`` of them, commonest first.
3. **Lines.** A break (，。？！；：) after position k is the form's when at least ``BREAK`` of its
   ci break there; a break that fewer than ``FIRM_BREAK`` write is soft. 、 breaks nothing.
4. **平仄.** Each character is read in the 平水韵 (入声 = 仄) in context, as 诗 are. At each
   position, of the ci whose character is decided: 平 when at least ``AGREE`` are 平, 仄 when at
   least ``AGREE`` are 仄, else 中.
5. **Rhymes.** Two line ends rhyme in a ci when their characters share a 词林正韵 部 (strict).
   Line ends that rhyme in at least ``RHYME_LINK`` of the ci are linked; each linked group is a
   rhyme set. A line end left out joins the set it rhymes with (the set's commonest 部 in that
   ci) in at least ``RHYME_OPTIONAL`` of the ci. A line's rhyme is required when it rhymes with
   its set in at least ``RHYME_REQUIRED`` of the ci, else optional (可韵). A set's tone: 平 or 仄
   at each line by the majority of its characters' classes; a set of both is 平仄通叶; a 仄 set
   is 入 or 上去 when at least ``RHYME_CLASS`` of the ci rhyme in that class, else 仄.
6. **叠句.** A line that equals the line before it (``same``), or the end of it (``tail``), in
   at least ``REPEAT`` of the ci.
7. **Calibration.** ``fluency`` and ``coherence`` put a poem against the median real poem of its
   form; for 词 that is the ci of the 词谱's forms, read as the scorer reads a poem (extraction,
   Simplified lines) under the shipped language model (which was trained on Tang verse only, so
   every Song ci is out of its sample): the median and robust spread of each raw score.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

from poetbench import cipu
from poetbench.data.chinese_poetry import iter_ci
from poetbench.language import model as language
from poetbench.metrics.fluency import poem_bits
from poetbench.text.batch import TextBatch
from poetbench.text.extract import extract_poem
from poetbench.phonology import cilin
from poetbench.phonology.book import get_book
from poetbench.text.lines import is_han

MIN_MAIN, MIN_FORM, MIN_FORM_SHARE, MAX_FORMS = 5, 10, 0.05, 4
BREAK, FIRM_BREAK = 0.5, 0.9
AGREE = 0.8
RHYME_LINK, RHYME_OPTIONAL, RHYME_REQUIRED, RHYME_CLASS = 0.5, 0.35, 0.75, 0.75
REPEAT = 0.5
TWIN_AGREE, TWIN_MIN = 0.95, 30
NOT_TUNES = frozenset(("失调名", "自度曲", "乐语"))
HARD = set("，。？！；：,.?!;:")
LACUNA = "□"


def ci_lines(paragraphs: list[str]) -> list[str]:
    """The lines of a ci, cut at the hard punctuation (rule 3); only Han characters kept."""
    lines, current = [], []
    for char in "".join(paragraphs):
        if char in HARD:
            if current:
                lines.append("".join(current))
            current = []
        elif is_han(char) or char == LACUNA:
            current.append(char)
    if current:
        lines.append("".join(current))
    return lines


def gather(corpus: Path) -> tuple[dict[str, list[list[str]]], dict[str, Counter]]:
    """The ci of each tune (as lines) and the other names each tune goes by (rule 1)."""
    by_tune: dict[str, list[list[str]]] = defaultdict(list)
    aliases: dict[str, Counter] = defaultdict(Counter)
    for ci in iter_ci(corpus):
        name = cipu.corpus_name(ci.get("rhythmic") or "")
        lines = ci_lines(ci.get("paragraphs") or [])
        if not name or name in NOT_TUNES or not lines or any(LACUNA in line for line in lines):
            continue
        by_tune[name].append(lines)
        if "・" in ci["rhythmic"]:
            aliases[name][cipu.clean_name(ci["rhythmic"].split("・")[0])] += 1
    return by_tune, aliases


def line_ends(breaks: list[int], length: int) -> list[int]:
    """The 0-based positions of the last character of each line."""
    return [b - 1 for b in breaks] + [length - 1]


def form_of(length: int, poems: list[list[str]], tones: list[str]) -> dict:
    """One form from the ci of one length (rules 3–6): ``tones`` is each ci's tone codes."""
    n = len(poems)
    counts = Counter(offset for lines in poems for offset in _offsets(lines))
    breaks = [k for k in sorted(counts) if counts[k] / n >= BREAK]
    bounds = [0, *breaks, length]
    lines = [b - a for a, b in zip(bounds, bounds[1:])]
    soft = [counts[k] / n < FIRM_BREAK for k in breaks]
    marks, level_share = [], []
    for i in range(length):
        level = sum(t[i] == "P" for t in tones)
        oblique = sum(t[i] == "Z" for t in tones)
        share = level / max(level + oblique, 1)
        level_share.append(round(100 * share))
        marks.append(cipu.LEVEL if share >= AGREE else cipu.OBLIQUE if 1 - share >= AGREE else cipu.EITHER)
    texts = ["".join(lines_) for lines_ in poems]
    ends = line_ends(breaks, length)
    return {"length": length, "n": n, "lines": lines, "soft": soft, "marks": "".join(marks),
            "level_share": level_share, "rhyme_sets": rhyme_sets(texts, ends),
            "repeats": repeats(texts, bounds)}


def _offsets(lines: list[str]) -> list[int]:
    out, at = [], 0
    for line in lines[:-1]:
        at += len(line)
        out.append(at)
    return out


def _parts(char: str) -> set[int]:
    return {part for part, _ in cilin.rhymes(char)}


def rhyme_sets(texts: list[str], ends: list[int]) -> list[dict]:
    """Rule 5: the rhyme sets of a form's line ends, each with its tones and required lines."""
    n, m = len(texts), len(ends)
    parts = [[_parts(text[e]) for e in ends] for text in texts]
    linked = list(range(m))

    def root(j: int) -> int:
        while linked[j] != j:
            j = linked[j]
        return j

    for j in range(m):
        for k in range(j + 1, m):
            if sum(bool(p[j] & p[k]) for p in parts) / n >= RHYME_LINK:
                linked[root(j)] = root(k)
    groups = defaultdict(list)
    for j in range(m):
        groups[root(j)].append(j)
    sets = [members for members in groups.values() if len(members) > 1]
    main = [[_commonest(p, members) for members in sets] for p in parts]  # each ci's 部 of each set

    def share(j: int, s: int) -> float:
        return sum(main[c][s] is not None and main[c][s] in parts[c][j] for c in range(n)) / n

    for j in (j for j in range(m) if not any(j in members for members in sets)):
        best = max(range(len(sets)), key=lambda s: share(j, s), default=None)
        if best is not None and share(j, best) >= RHYME_OPTIONAL:
            sets[best].append(j)
    out = []
    for s, members in enumerate(sets):
        members.sort()
        classes = [_classes(texts, ends[j], main, s) for j in members]
        tones = [cilin.LEVEL if c[cilin.LEVEL] >= c[cilin.OBLIQUE] + c[cilin.ENTERING] else "仄" for c in classes]
        out.append({"lines": [j + 1 for j in members], "tone": _set_tone(tones, texts, [ends[j] for j in members]),
                    "tones": tones, "required": [share(j, s) >= RHYME_REQUIRED for j in members]})
    return sorted(out, key=lambda row: row["lines"][0])


def _commonest(parts_of_ci: list[set[int]], members: list[int]) -> int | None:
    counts = Counter(part for j in members for part in parts_of_ci[j])
    return counts.most_common(1)[0][0] if counts else None


def _classes(texts: list[str], end: int, main: list[list[int | None]], s: int) -> Counter:
    """How often each tone class rhymes at ``end`` in the set's 部 of each ci."""
    counts = Counter()
    for c, text in enumerate(texts):
        counts.update({tone for part, tone in cilin.rhymes(text[end]) if part == main[c][s]})
    return counts


def _set_tone(tones: list[str], texts: list[str], ends: list[int]) -> str:
    if len(set(tones)) > 1:
        return "平仄通叶"
    if tones[0] == cilin.LEVEL:
        return cilin.LEVEL
    per_ci = Counter()
    for text in texts:
        classes = Counter(tone for e in ends for tone in {t for _, t in cilin.rhymes(text[e])} - {cilin.LEVEL})
        if classes:
            per_ci[classes.most_common(1)[0][0]] += 1
    total = sum(per_ci.values())
    for tone in (cilin.ENTERING, cilin.OBLIQUE):
        if total and per_ci[tone] / total >= RHYME_CLASS:
            return tone
    return "仄"


def repeats(texts: list[str], bounds: list[int]) -> list[list]:
    """Rule 6: (1-based line, same or tail) of each 叠句."""
    out = []
    for j in range(1, len(bounds) - 1):
        size, before = bounds[j + 1] - bounds[j], bounds[j] - bounds[j - 1]
        line = [t[bounds[j]:bounds[j + 1]] for t in texts]
        previous = [t[bounds[j - 1]:bounds[j]] for t in texts]
        if size == before and sum(a == b for a, b in zip(line, previous)) / len(texts) >= REPEAT:
            out.append([j + 1, cipu.SAME])
        elif size < before and sum(b.endswith(a) for a, b in zip(line, previous)) / len(texts) >= REPEAT:
            out.append([j + 1, cipu.TAIL])
    return out


def calibration(texts: list[str]) -> dict[str, list[float]]:
    """Rule 7: (median, robust spread) of the raw fluency and coherence of real ci."""
    model = language.load(language.RESOURCE, with_ci=False)
    batch = TextBatch([extract_poem(text).lines for text in texts], simplify=True)
    _, saved = poem_bits(model.ngram, batch)
    odds = model.association.log_odds(batch)
    return {metric: [round(x, 4) for x in language.robust_centre(values[~np.isnan(values)])]
            for metric, values in (("fluency", saved), ("coherence", np.asarray(odds, dtype=float)))}


def twins(main: dict, other: dict) -> bool:
    """Rule 1: two main forms of one shape whose fixed 平仄 agree (one tune by two names)."""
    if (main["length"], main["lines"]) != (other["length"], other["lines"]):
        return False
    both = [(a, b) for a, b in zip(main["marks"], other["marks"]) if cipu.EITHER not in (a, b)]
    return len(both) >= TWIN_MIN and sum(a == b for a, b in both) / len(both) >= TWIN_AGREE


def merge_twins(tunes: list[dict]) -> list[dict]:
    """The tunes (commonest first) with each twin of a commoner tune, or each tune given as another
    name of it, made another name of it (rule 1)."""
    kept: list[dict] = []
    for row in tunes:
        found = next((t for t in kept if row["name"] in t["aliases"] or twins(t["forms"][0], row["forms"][0])), None)
        if found is None:
            kept.append(row)
        else:
            found["aliases"] += [a for a in (row["name"], *row["aliases"]) if a not in found["aliases"]]
    return kept


def build(corpus: Path, log=print) -> dict:
    by_tune, aliases = gather(corpus)
    book = get_book("pingshui")
    tunes = []
    for name in sorted(by_tune, key=lambda t: (-len(by_tune[t]), t)):
        poems = by_tune[name]
        lengths = Counter(sum(map(len, lines)) for lines in poems)
        chosen = [length for rank, (length, count) in enumerate(lengths.most_common())
                  if count >= (MIN_MAIN if rank == 0 else MIN_FORM) and count / len(poems) >= MIN_FORM_SHARE][:MAX_FORMS]
        forms = []
        for length in chosen:
            group = [lines for lines in poems if sum(map(len, lines)) == length]
            tones = ["".join(t) for t in book.many_poem_tones(group)]
            forms.append(form_of(length, group, tones))
        if forms:
            tunes.append({"name": name, "aliases": [a for a, _ in aliases[name].most_common() if a != name],
                          "n": len(poems), "forms": forms})
    tunes = merge_twins(tunes)
    log(f"{len(tunes)} tunes, {sum(len(t['forms']) for t in tunes)} forms, "
        f"{sum(f['n'] for t in tunes for f in t['forms'])} ci in them")
    real = ["，".join(lines) + "。" for t in tunes for lines in by_tune[t["name"]]
            if any(sum(map(len, lines)) == f["length"] for f in t["forms"])]
    calibrated = calibration(real)
    log(f"calibration over {len(real)} ci: {calibrated}")
    return {"version": cipu.VERSION, "source": "chinese-poetry 2.0.1, songci/ci.song.N.json (全宋词)",
            "thresholds": {"min_main": MIN_MAIN, "min_form": MIN_FORM, "min_form_share": MIN_FORM_SHARE, "max_forms": MAX_FORMS,
                           "break": BREAK, "firm_break": FIRM_BREAK, "agree": AGREE, "rhyme_link": RHYME_LINK,
                           "rhyme_optional": RHYME_OPTIONAL, "rhyme_required": RHYME_REQUIRED,
                           "rhyme_class": RHYME_CLASS, "repeat": REPEAT,
                           "twin_agree": TWIN_AGREE, "twin_min": TWIN_MIN},
            "calibration": calibrated, "tunes": tunes}
