"""The metric registry: one row per key of the score record, and per number measured across a
label's poems. Every list of metrics in poetbench is read from here.

A row says what the key is (Chinese first, then English), its scale, which way is better, how
its summary reads, the gate's default tolerance and where it is shown:

* ``better``: ``"higher"``, ``"lower"``, or ``None`` for a descriptive key (the form, the line
  lengths) that no comparison ranks.
* ``per``: ``"poem"`` — one value per poem, summarised as a mean (for a yes/no key the mean is a
  rate over poems, and ``rate`` says so); ``"run"`` — one value over all the poems of a label
  (``diversity.py``); ``"record"`` — kept in the score record, never averaged (a label, a list).
* ``shown``: the places that list the metric —

  ========== ==========================================================================
  compare    paired A/B statistics (``compare.py``) and the CI gate (``gate.py``); such a row
             has a tolerance
  key        the short tables: ``run``'s table, the demo, ``summary.md``, the training callback
  table      the report's table of every label
  plot       the report's curves against training step
  viewer     the scores beside each sample in the report's viewer, and the model card's
  audit      ``poetbench audit``: real poems against controls
  calibrate  ``poetbench calibrate``: metrics against human ratings
  ========== ==========================================================================

* ``producer``: the module whose ``measure(poems)`` computes the key (``metrics/context.py``
  says what it is given). The scorer calls the producers in the order of their first row, so a
  producer comes after every producer it reads: ``adherence`` reads ``form_ok``, ``poetscore``
  the whole record.

Adding a metric is one module with a ``measure`` and one row here (``docs/layout.md``).
``tests/test_registry.py`` fails when a score key has no row or a row has no producer.
"""

from __future__ import annotations

from dataclasses import dataclass

HIGHER, LOWER = "higher", "lower"
PLACES = ("compare", "key", "table", "plot", "viewer", "audit", "calibrate")
UNIT = "0–1"


@dataclass(frozen=True)
class Metric:
    key: str
    producer: str  # dotted module name with a measure(poems) function
    zh: str
    en: str
    scale: str  # 0–1, 0–100, bits/char, count, label, list
    better: str | None = None  # HIGHER, LOWER or None (descriptive)
    per: str = "poem"  # poem, run or record
    rate: bool = False  # a yes/no per poem: its mean is a share of poems
    tolerance: float | None = None  # the gate's default: the smallest change worth failing a build for
    shown: tuple[str, ...] = ()
    empty_because: str | None = None  # why no label may have a value (the report says so)

    def __post_init__(self):
        unknown = set(self.shown) - set(PLACES)
        if unknown:
            raise ValueError(f"metric {self.key}: unknown place {sorted(unknown)}; places: {', '.join(PLACES)}")
        if "compare" in self.shown and (self.tolerance is None or self.better is None):
            raise ValueError(f"metric {self.key}: a compared metric needs a direction and a tolerance")

    @property
    def lower_is_better(self) -> bool:
        return self.better == LOWER

    @property
    def worst(self) -> float:
        """The floor of the gate's stand-in for a missing prompt: 0 for a higher-is-better key,
        1 for a lower-is-better share, 0 for a lower-is-better count (then the worst seen)."""
        return 1.0 if self.better == LOWER and self.scale == UNIT else 0.0


_M = "poetbench.metrics."
_ALL = ("compare", "table", "audit", "calibrate")
_REGULATED = "no checkpoint wrote a 律诗, 绝句 or 词"

ROWS: list[Metric] = [
    # form (metrics/form.py), with what extraction found
    Metric("form", _M + "form", "体裁", "the form: the requested one, or the one the line lengths show", "label",
           per="record", shown=("viewer",)),
    Metric("requested_form", _M + "form", "所求体裁", "the form the prompt asked for (its form field, or read from its text)",
           "label", per="record"),
    Metric("n_lines", _M + "form", "句数", "lines of the poem", "count"),
    Metric("line_lengths", _M + "form", "句长", "characters per line", "list", per="record"),
    Metric("length_regularity", _M + "form", "句长整齐", "share of lines at the poem's most common length", UNIT,
           HIGHER, tolerance=0.03, shown=(*_ALL, "plot")),
    Metric("form_ok", _M + "form", "合体", "the poem has the requested form (or a regulated one when none is asked)",
           UNIT, HIGHER, rate=True, tolerance=0.05, shown=(*_ALL, "key", "plot", "viewer")),
    Metric("cipai", _M + "form", "词牌", "for a 词: the tune it was read as", "label", per="record", shown=("viewer",)),
    Metric("ci_form", _M + "form", "词体", "for a 词: the form of its tune (95字)", "label", per="record",
           shown=("viewer",)),
    Metric("ci_reading", _M + "form", "识调", "for a 词: how the tune was found, other tunes of that shape, lines off",
           "record", per="record"),
    # 平仄 and rhyme (metrics/tone_pattern.py reads metrics/rhyme.py's reading), 律诗 and 绝句; 词 by
    # their tune's form (metrics/ci_meter.py, which both hand out)
    Metric("tone_conformity", _M + "tone_pattern", "平仄合律度", "share of the template's (词谱's) 平仄 positions kept",
           UNIT, HIGHER, tolerance=0.03, shown=(*_ALL, "plot"), empty_because=_REGULATED),
    Metric("tone_ok", _M + "tone_pattern", "平仄合律", "every line keeps its template, 粘对, no 孤平 or 三平尾 unrescued",
           UNIT, HIGHER, rate=True, tolerance=0.05, shown=(*_ALL, "key", "viewer"), empty_because=_REGULATED),
    Metric("tone_violations", _M + "tone_pattern", "出律", "where the 平仄 breaks its rules", "list", per="record"),
    Metric("rhyme_ok", _M + "rhyme", "押韵", "the rhyming lines end in one rhyme group of the book (词林正韵 for 词)", UNIT, HIGHER,
           rate=True, tolerance=0.05, shown=(*_ALL, "key", "viewer"), empty_because=_REGULATED),
    Metric("rhyme_rate", _M + "rhyme", "押韵率", "share of rhyme positions in the main rhyme group", UNIT, HIGHER,
           tolerance=0.03, shown=("compare", "audit", "calibrate", "plot")),
    Metric("rhyme_group", _M + "rhyme", "韵部", "the main rhyme group", "label", per="record"),
    # diction (metrics/classical.py)
    Metric("classical_ratio", _M + "classical", "文言比", "share of characters in classical poetic diction", UNIT,
           HIGHER, tolerance=0.03, shown=(*_ALL, "key", "plot", "viewer")),
    Metric("vernacular_markers", _M + "classical", "白话标记", "modern function words and particles", "count", LOWER,
           tolerance=0.5, shown=("compare", "audit", "calibrate")),
    # language (metrics/fluency.py, metrics/coherence.py)
    Metric("fluency_bpc", _M + "fluency", "字均比特", "bits per character under the 4-gram model of Tang verse",
           "bits/char", LOWER, tolerance=0.2, shown=("compare", "audit", "calibrate")),
    Metric("fluency", _M + "fluency", "流畅", "plausibility as verse, 1 at the median real poem of the form", UNIT,
           HIGHER, tolerance=0.05, shown=(*_ALL, "key", "plot"), empty_because="no verse to score"),
    Metric("coherence", _M + "coherence", "连贯", "how well the lines belong together, 1 at the median real poem",
           UNIT, HIGHER, tolerance=0.05, shown=(*_ALL, "key", "plot"),
           empty_because="no poem of two lines or more"),
    Metric("lm_bpc", _M + "fluency", "神经模型字均比特", "bits per character under the --lm model", "bits/char", LOWER),
    # talk around the poem (metrics/chatter.py)
    Metric("chatter", _M + "chatter", "闲话", "the reply talks besides the poem (preamble, commentary, notes)", UNIT,
           LOWER, rate=True, tolerance=0.05, shown=(*_ALL, "key", "viewer")),
    # repetition (metrics/repetition.py)
    Metric("distinct_2", _M + "repetition", "二字不重", "distinct character bigrams over all bigrams", UNIT, HIGHER,
           tolerance=0.03, shown=("compare", "audit", "calibrate")),
    Metric("repeated_lines", _M + "repetition", "重句", "lines identical to an earlier line", "count", LOWER,
           shown=("audit", "calibrate")),
    Metric("loop_bigram_max", _M + "repetition", "复沓二字", "occurrences of the most frequent bigram", "count",
           LOWER, shown=("audit", "calibrate")),
    Metric("char_overuse", _M + "repetition", "字过用", "characters used more than 99% of Tang poems allow",
           "count", LOWER, shown=("audit", "calibrate")),
    Metric("repetition_ok", _M + "repetition", "无复沓", "no repeated line, loop or overused character", UNIT,
           HIGHER, rate=True, tolerance=0.05, shown=_ALL),
    # memorisation (metrics/copying.py), with --reference
    Metric("copy_overlap", _M + "copying", "抄录比", "share of characters in a 4-gram of the reference corpus",
           UNIT, LOWER, tolerance=0.05, shown=(*_ALL, "viewer"), empty_because="needs a reference corpus: --reference"),
    Metric("copy_span", _M + "copying", "最长抄录", "the longest copied run, in characters", "count", LOWER,
           shown=("audit", "calibrate")),
    Metric("verbatim_lines", _M + "copying", "照抄句", "lines identical to a line of the reference corpus", "count",
           LOWER, shown=("audit", "calibrate")),
    # the prompt (metrics/adherence.py)
    Metric("adherence", _M + "adherence", "切题", "does what the prompt asked: form, keywords, the given line",
           UNIT, HIGHER, tolerance=0.05, shown=("compare", "table", "calibrate"),
           empty_because="the eval set's prompts ask for nothing checkable"),
    # the headline (metrics/poetscore.py)
    Metric("poetscore", _M + "poetscore", "诗分", "PoetScore v2: craft gated by language", "0–100", HIGHER,
           tolerance=2.0, shown=(*_ALL, "key", "plot", "viewer")),
    Metric("extract_warnings", _M + "form", "提取警告", "what extraction was unsure of", "list", per="record",
           shown=("viewer",)),
    # across a label's poems (diversity.py)
    Metric("run_distinct_2", "poetbench.diversity", "全集二字不重", "distinct bigrams over all the label's poems",
           UNIT, HIGHER, per="run", tolerance=0.05),
    Metric("shared_first_line", "poetbench.diversity", "首句雷同", "share of poems whose first line opens another",
           UNIT, LOWER, per="run", tolerance=0.10),
]

CORE_PRODUCERS = (_M + "form", _M + "tone_pattern", _M + "rhyme")  # Scorer(core_only=True): form, 平仄, rhyme


def rows() -> list[Metric]:
    return list(ROWS)


def get(key: str) -> Metric:
    for row in ROWS:
        if row.key == key:
            return row
    raise KeyError(f"no metric {key!r} in the registry (poetbench/metrics/registry.py)")


def score_keys() -> tuple[str, ...]:
    """The keys of a score record, in order."""
    return tuple(row.key for row in ROWS if row.per != "run")


def summary_keys() -> tuple[str, ...]:
    """The keys a label's summary averages (with a 95% CI)."""
    return tuple(row.key for row in ROWS if row.per == "poem")


def shown_in(place: str, per: str | None = "poem") -> tuple[str, ...]:
    """The keys listed in ``place`` (``PLACES``), in registry order: those averaged per poem, or
    with ``per=None`` every one (the viewer also shows the form and the extraction warnings)."""
    if place not in PLACES:
        raise ValueError(f"unknown place {place!r}; places: {', '.join(PLACES)}")
    return tuple(row.key for row in ROWS if place in row.shown and per in (None, row.per))


def run_metrics() -> tuple[str, ...]:
    """The numbers measured across a label's poems that the gate compares."""
    return tuple(row.key for row in ROWS if row.per == "run")


def lower_is_better(key: str) -> bool:
    return get(key).lower_is_better


def tolerances() -> dict[str, float]:
    """The gate's default tolerance of every metric that has one."""
    return {row.key: row.tolerance for row in ROWS if row.tolerance is not None}


def producers(core_only: bool = False) -> tuple[str, ...]:
    """The producer modules in the order the scorer calls them (the order of their first row)."""
    order = tuple(dict.fromkeys(row.producer for row in ROWS if row.per != "run"))
    return tuple(p for p in order if p in CORE_PRODUCERS) if core_only else order


def keys_of(producer: str) -> tuple[str, ...]:
    return tuple(row.key for row in ROWS if row.producer == producer)
