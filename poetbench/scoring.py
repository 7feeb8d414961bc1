"""Score poems: one record per poem, with the metric signature that makes numbers comparable.

    >>> from poetbench import Scorer
    >>> scorer = Scorer(book="pingshui")
    >>> scorer.score("床前明月光，疑是地上霜。举头望明月，低头思故乡。")["form"]
    'wujue'

The record keys are the rows of the metric registry (``metrics/registry.py``), in its order;
a key that does not apply, or whose metric is not built yet, is ``None`` — never a guess. Each
row names its producer, a metric module whose ``measure(poems)`` the scorer calls in a loop
(``metrics/context.py``: what they share).

``score_rows`` (``poetbench score``) fails a row only when it has no text to score. The prompt
fields of a row (``kind``, ``form``, ``prompt``, ``keywords``, ``given``) are read where poetbench
knows their values (``metrics/adherence.py``: ``七律`` and ``WUJUE`` are forms, ``Topic`` a kind);
other values are ignored, and ``RowStats.warning`` names them once per file: the field, the
values, the first line and how many rows.
"""

from __future__ import annotations

import collections
import importlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from poetbench import __version__, cipu, forms, tempfiles
from poetbench.jsonl import InputError
from poetbench.language import model as language
from poetbench.metrics import ci_meter, classical, copying, registry, rhyme, tone_pattern
from poetbench.metrics.adherence import KINDS, Prompt, read_prompt, tune_name
from poetbench.metrics.context import Poems
from poetbench.phonology import inference
from poetbench.phonology.book import get_book
from poetbench.text.extract import EXTRACT_VERSION, Extraction, extract_poem

SCORE_KEYS = registry.score_keys()  # the record's keys, in order (the registry's rows)
_WARM_UP = "春眠不觉晓，处处闻啼鸟。夜来风雨声，花落知多少。"
SCORE_CHUNK = 1000  # poems scored in one pass (score_many) and rows a worker takes at a time (score_rows)


@dataclass(slots=True)
class Analysis:
    """Everything measured about one poem: the record plus the detail behind it."""

    extraction: Extraction
    codes: list[str]  # tone code per character of each line: P 平, Z 仄, A undecided, ? unknown
    tone: tone_pattern.ToneResult | None
    rhyme: rhyme.RhymeResult | None
    record: dict
    shown: list[str] = field(default_factory=list)  # the codes people see: 多音字 inferred (inference.settle)
    how: list[str] = field(default_factory=list)  # per character: D book or word, P position, U usual reading
    ci: ci_meter.CiResult | None = None  # a 词's check against the form of its tune
    ci_match: cipu.CiMatch | None = None  # how the 词 was read: the form, the poem cut into its lines


@dataclass
class Scored:
    """Score records, and the Simplified lines they were measured on (what was extracted, for
    measures across the poems such as diversity: nothing is extracted twice)."""

    records: list[dict]
    simplified: list[list[str]]


class Scorer:
    """Scores poems with one configuration: rhyme book, tone mode and reference corpus.

    ``reference``: a corpus path (chinese-poetry directory or JSONL with ``text``) for the copy
    metrics; without it they are ``None``. ``lm``: ``hf:PATH_OR_ID``, a causal LM for
    ``lm_bpc`` (``language/neural.py``; safetensors only unless ``allow_pickle``); without it
    ``lm_bpc`` is ``None``. ``core_only`` measures form, 平仄 and rhyme alone (the other keys
    stay ``None``), for speed comparisons with checkers that do only that.
    """

    def __init__(self, book: str = "pingshui", strict: bool = False, reference: str | None = None,
                 core_only: bool = False, lm: str | None = None, allow_pickle: bool = False):
        self.book = get_book(book)
        self.strict = strict
        self.reference = copying.load_index(str(reference)) if reference else None
        self.core_only = core_only
        self.neural = None
        if lm:
            from poetbench.language.neural import NeuralLM

            self.neural = NeuralLM(lm, allow_pickle=allow_pickle)

    def warm(self) -> None:
        """Load every table scoring needs (the language model, the code-point tables), by
        scoring one short poem."""
        self.score_many([_WARM_UP])

    @property
    def signature(self) -> str:
        """sacreBLEU-style: two scores are comparable only when their signatures match."""
        tone = "strict" if self.strict else "lenient"
        ref = self.reference.name if self.reference else "none"
        return (f"poetbench:{__version__}|book={self.book.name}|tone={tone}|vocab={classical.VOCAB_VERSION}"
                f"|lm={language.VERSION}{'+' + self.neural.name if self.neural else ''}|extract={EXTRACT_VERSION}"
                f"|cipu={cipu.VERSION}|ref={ref}")

    def analyse(self, text: str, form: str | None = None, prompt: Prompt | None = None) -> Analysis:
        """Score ``text`` (raw model output or a bare poem) and keep the detail for display."""
        return self.analyse_many([text], [_with_form(prompt, form)])[0]

    def score(self, text: str, form: str | None = None, prompt: Prompt | None = None) -> dict:
        """The score record of one poem (keys: ``SCORE_KEYS``). Use ``score_many`` for many."""
        return self.score_many([text], [_with_form(prompt, form)])[0]

    def score_many(self, texts: list[str], prompts: list[Prompt | None] | None = None) -> list[dict]:
        """Score records of many poems; the table lookups run once over ``SCORE_CHUNK`` of them
        at a time (so memory stays bounded however many are given)."""
        return self.score_poems(texts, prompts).records

    def score_poems(self, texts: list[str], prompts: list[Prompt | None] | None = None) -> Scored:
        """``score_many``, handing back the Simplified lines measured too."""
        prompts = prompts or [None] * len(texts)
        scored = Scored([], [])
        for start in range(0, len(texts), SCORE_CHUNK):
            poems = self._measure(texts[start:start + SCORE_CHUNK], prompts[start:start + SCORE_CHUNK], detail=False)
            scored.records += poems.records
            scored.simplified += poems.simplified.poems
        return scored

    def analyse_many(self, texts: list[str], prompts: list[Prompt | None] | None = None) -> list[Analysis]:
        """The Analyses of many outputs (the record and the detail behind it), as ``analyse``."""
        poems = self._measure(texts, prompts or [None] * len(texts), detail=True)
        reading = rhyme.read(poems)
        analyses = [Analysis(extraction=e, codes=[], tone=None, rhyme=None, record=r)
                    for e, r in zip(poems.extractions, poems.records)]
        for i, code, tone, rhymed in zip(reading.regulated, reading.codes, tone_pattern.tones(poems), reading.rhymes):
            analyses[i].codes, analyses[i].tone, analyses[i].rhyme = code, tone, rhymed
        for i, result in ci_meter.results(poems).items():
            analyses[i].ci, analyses[i].ci_match = result, poems.shared["ci"][i]
        # What people read: every poem's tones, regulated or not, with 多音字 inferred.
        unchecked = [k for k, a in enumerate(analyses) if not a.codes]
        for k, code in zip(unchecked, self.book.many_poem_tones([analyses[k].extraction.lines for k in unchecked])):
            analyses[k].codes = code
        for a in analyses:
            a.shown, a.how = inference.settle(a.extraction.lines, a.codes, a.tone)
        return analyses

    def _measure(self, texts: list[str], prompts: list[Prompt | None], detail: bool) -> Poems:
        """Extract the poem of every text and call the registry's producers over them in order;
        each one's columns go into the records before the next runs."""
        requested = [p.form if p else None for p in prompts]
        for form in set(requested) - {None}:
            if forms.form_key(form) is None:
                raise ValueError(f"unknown form {form!r}: choose one of {', '.join(forms.FORMS)} "
                                 "(or a Chinese name: 七律, 五绝 …)")
        poems = Poems(extractions=[extract_poem(text) for text in texts], prompts=list(prompts),
                      requested=[forms.form_key(form) if form is not None else None for form in requested],
                      tunes=[(p.cipai or tune_name(p.form)) if p else None for p in prompts],
                      book=self.book, strict=self.strict, detail=detail, reference=self.reference, neural=self.neural,
                      records=[dict.fromkeys(registry.score_keys()) for _ in texts])
        for name in registry.producers(self.core_only):
            columns = importlib.import_module(name).measure(poems)
            for key, values in columns.items():
                for record, value in zip(poems.records, values):
                    record[key] = value
        return poems


def _with_form(prompt: Prompt | None, form: str | None) -> Prompt | None:
    if form is None:
        return prompt
    if prompt is None:
        return Prompt(form=form)
    prompt.form = form
    return prompt


def score(text: str, book: str = "pingshui", strict: bool = False, form: str | None = None) -> dict:
    """Score one poem with a default scorer; build a ``Scorer`` once to score many."""
    return Scorer(book=book, strict=strict).score(text, form)


# What each prompt field may hold, for the warning about values poetbench ignored.
KNOWN_VALUES = {"kind": f"{', '.join(KINDS)} (any case)",
                "form": f"{', '.join(forms.FORMS)} (any case), a Chinese name (七律, 五绝, 排律, 古体 …) or a 词牌 (如梦令 …)",
                "keywords": "a text or a list of texts", "prompt": "text", "given": "text"}
SHOWN_VALUES = 3  # distinct ignored values a warning quotes per field


@dataclass
class Ignored:
    """The rows of a file whose value of one prompt field was ignored (``read_prompt``)."""

    first_line: int
    rows: int = 0
    values: dict[str, None] = field(default_factory=dict)  # distinct values as JSON, in order of appearance

    def add(self, line: int, value) -> None:
        self.first_line = min(self.first_line, line)
        self.rows += 1
        self.values.setdefault(json.dumps(value, ensure_ascii=False)[:60], None)


@dataclass
class RowStats:
    scored: int = 0
    errors: int = 0
    ignored: dict[str, Ignored] = field(default_factory=dict)  # by prompt field

    def merge(self, ignored: dict[str, Ignored]) -> None:
        for name, got in ignored.items():
            mine = self.ignored.setdefault(name, Ignored(got.first_line))
            mine.first_line = min(mine.first_line, got.first_line)
            mine.rows += got.rows
            mine.values.update(got.values)

    def warning(self, source: str) -> str | None:
        """One warning for the file: each prompt field whose values were ignored, with the values,
        the first line and how many rows; None when nothing was ignored."""
        if not self.ignored:
            return None
        lines = [f"poetbench: warning: {source}: prompt fields with values poetbench does not know were ignored, "
                 "as if absent (no adherence or requested form read from them); the rows were scored. Rename a field "
                 "that means something else in your data:"]
        for name, got in self.ignored.items():
            values = list(got.values)
            more = len(values) - SHOWN_VALUES
            shown = ", ".join(values[:SHOWN_VALUES]) + (f" and {more} more" if more > 0 else "")
            rows = f"{got.rows} row{'s' if got.rows > 1 else ''}, first at line {got.first_line}"
            lines.append(f"  {name} {shown}: {rows}; poetbench reads {KNOWN_VALUES[name]}")
        return "\n".join(lines)


def row_problem(row: dict, field: str = "text") -> str | None:
    """Why ``row`` cannot be scored, or None when it can. Only the text decides: prompt fields
    with values poetbench does not know are ignored (``read_prompt``), never a failed row."""
    if field not in row:
        return f"no {field!r} field; name the poem's field with --field"
    text = row[field]
    if text is None:
        return f"field {field!r} is null, not text"
    if not isinstance(text, str):
        return f"field {field!r} is {type(text).__name__}, not text"
    return None


def _own_error(row: dict) -> dict:
    """An input row that already has an ``error`` field keeps it as ``input_error``: in the
    output, ``error`` means this row could not be scored."""
    if "error" not in row:
        return row
    row = dict(row)
    row["input_error"] = row.pop("error")
    return row


def score_row(scorer: Scorer, row: dict, field: str = "text") -> dict:
    """The input row plus ``scores`` and ``signature``, or plus ``error`` when it cannot be scored."""
    row = _own_error(row)
    problem = row_problem(row, field)
    if problem:
        return {**row, "error": problem}
    return {**row, "scores": scorer.score(row[field], prompt=Prompt.from_row(row)), "signature": scorer.signature}


def score_rows(scorer: Scorer, source: str, target: str | None, field: str = "text",
               progress: bool = False, jobs: int | None = None) -> RowStats:
    """Score a JSONL file (``-`` for stdin) into ``target`` (atomic; stdout when None).

    Rows go ``SCORE_CHUNK`` at a time to ``jobs`` worker processes (default: one per CPU, at
    most 4; forked, so they share the loaded tables), each parsing, scoring and serialising its
    chunk; the output keeps the input's order, one output row per input row. With a neural
    reference model (``--lm``) the work stays in this process: torch uses every core itself,
    and a process forked after torch has started its threads can hang.
    """
    from poetbench import jsonl

    stats = RowStats()
    chunks = ((source, field, chunk) for chunk in _chunks(jsonl.raw_lines(source), SCORE_CHUNK))
    jobs = 1 if scorer.neural else jobs or min(os.cpu_count() or 1, 4)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(unit=" poems", desc="scoring", file=sys.stderr)
    with jsonl.atomic_writer(target, binary=True) as out:
        for data, scored, errors, ignored in _map_chunks(scorer, jobs, chunks):
            out.write(data)
            stats.scored += scored
            stats.errors += errors
            stats.merge(ignored)
            if bar:
                bar.update(scored + errors)
    if bar:
        bar.close()
    return stats


_WORKER: list[Scorer] = []  # the scorer of this process, for _score_chunk (forked workers inherit it)


def _map_chunks(scorer: Scorer, jobs: int, chunks):
    """``_score_chunk`` over ``chunks``, in order: here for one job, else in ``jobs`` forked workers
    sharing ``scorer``, with at most ``2 * jobs`` chunks in flight (a large input is never read
    ahead into memory).

    The workers ignore SIGTERM and Ctrl-C (``tempfiles.quiet_worker``): on either, the parent
    cancels the chunks not started and waits for the ones in flight, so no worker dies half-way
    through sending its result. A worker that dies all the same (the OOM killer) is a clear
    error, ``BrokenProcessPool`` from the ``ProcessPoolExecutor``, and the others are killed.
    """
    _WORKER[:] = [scorer]
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(_score_chunk, chunks)
        return
    scorer.warm()  # load every table before the fork, so the workers share one copy
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                               initializer=tempfiles.quiet_worker)
    in_flight: collections.deque = collections.deque()
    try:
        for chunk in chunks:
            in_flight.append(pool.submit(_score_chunk, chunk))
            if len(in_flight) >= 2 * jobs:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()
    except BrokenProcessPool:
        for worker in list((pool._processes or {}).values()):  # the others ignore SIGTERM; 3.14: kill_workers()
            worker.kill()
        raise InputError("a scoring worker process died (killed, or out of memory?); nothing was written over. "
                         "Run again, with --jobs 1 to score in one process") from None
    finally:  # on an error, Ctrl-C or SIGTERM: drop the chunks not started, let the rest finish
        pool.shutdown(wait=True, cancel_futures=True)


def _score_chunk(task) -> tuple[bytes, int, int, dict[str, Ignored]]:
    """Parse, check, score and serialise one chunk of numbered raw lines; with the prompt values
    it ignored, by field."""
    from poetbench import jsonl

    source, field, lines = task
    scorer = _WORKER[0]
    chunk = list(jsonl.parse_rows(source, lines))
    for row in chunk:
        if row.data is not None:
            row.data = _own_error(row.data)
    problems = [row.error if row.data is None else row_problem(row.data, field) for row in chunk]
    good = [row for row, problem in zip(chunk, problems) if problem is None]
    prompts, ignored = [], {}
    for row in good:
        prompt, unknown = read_prompt(row.data)
        prompts.append(prompt)
        for name, value in unknown.items():
            ignored.setdefault(name, Ignored(row.line)).add(row.line, value)
    records = iter(scorer.score_many([row.data[field] for row in good], prompts))
    signature = scorer.signature
    results = []
    for row, problem in zip(chunk, problems):
        if row.data is None:
            results.append({"line": row.line, "raw": row.raw, "error": problem})
        elif problem:
            results.append({**row.data, "error": f"{source}:{row.line}: {problem}"})
        else:
            results.append({**row.data, "scores": next(records), "signature": signature})
    return jsonl.dump_lines(results), len(good), len(chunk) - len(good), ignored


def _chunks(items, size: int):
    chunk = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
