"""The metric registry (``poetbench/metrics/registry.py``): every score key has one row, every row
a producer, and a metric registered there alone reaches score-run, compare, the gate and the
report with no other edit (issue 29)."""

import importlib
import json
import textwrap

import pytest

from poetbench import forms
from poetbench.audit.poems import REGULATED, VERNACULAR
from poetbench.gate import gate, save_baseline
from poetbench.metrics import registry
from poetbench.metrics.context import Poems
from poetbench.report import build
from poetbench.runner import Run, RunSettings, score_run
from poetbench.scoring import SCORE_KEYS, Scorer
from poetbench.text.extract import extract_poem

TANG = [text for _, text in REGULATED.values()]
POEMS = [TANG[0], VERNACULAR[0], "好的，这是一首诗：\n" + TANG[1] + "\n希望你喜欢！"]


class FakeNeural:
    """Stands in for ``--lm``: lm_bpc's producer reads ``Poems.neural.bpc``."""

    name = "fake"

    def bpc(self, poems):
        return [float(len(lines)) for lines in poems]


def test_every_score_key_has_one_row_and_every_row_a_producer(tmp_path):
    keys = [row.key for row in registry.rows()]
    assert len(keys) == len(set(keys)), "a key registered twice"
    assert SCORE_KEYS == registry.score_keys()
    reference = tmp_path / "ref.jsonl"
    reference.write_text("".join(json.dumps({"text": text}, ensure_ascii=False) + "\n" for text in TANG),
                         encoding="utf-8")
    scorer = Scorer(reference=str(reference))
    prompts = [None, None, None]
    poems = Poems(extractions=[extract_poem(p) for p in POEMS], prompts=prompts, requested=[None] * 3,
                  book=scorer.book, reference=scorer.reference, neural=FakeNeural(),
                  records=[dict.fromkeys(SCORE_KEYS) for _ in POEMS])
    produced = set()
    for name in registry.producers():
        columns = importlib.import_module(name).measure(poems)
        assert set(columns) <= set(registry.keys_of(name)), f"{name} measures keys its rows do not name"
        for key, values in columns.items():
            assert len(values) == len(POEMS), (name, key)
            for record, value in zip(poems.records, values):
                record[key] = value
        produced |= set(columns)
    assert produced == set(SCORE_KEYS), f"rows with no producer: {set(SCORE_KEYS) - produced}"
    # the loop is the scorer's: the same records as Scorer.score_many (lm_bpc aside)
    direct = scorer.score_many(POEMS)
    assert [{k: v for k, v in r.items() if k != "lm_bpc"} for r in direct] == \
        [{k: v for k, v in r.items() if k != "lm_bpc"} for r in poems.records]
    assert direct[0]["form"] in forms.REGULATED and direct[2]["chatter"] and not direct[0]["chatter"]


def test_the_run_level_rows_are_what_diversity_measures():
    from poetbench.diversity import RUN_METRICS, diversity

    assert set(registry.run_metrics()) == set(RUN_METRICS)
    measured = diversity([["床前明月光", "疑是地上霜"], ["床前明月光", "低头思故乡"]])
    assert all(measured[RUN_METRICS[key]] is not None for key in registry.run_metrics())


def test_directions_and_places_are_declared_once():
    assert registry.lower_is_better("chatter") and not registry.lower_is_better("poetscore")
    assert registry.get("copy_overlap").worst == 1.0 and registry.get("fluency_bpc").worst == 0.0
    assert set(registry.shown_in("key")) <= set(registry.shown_in("compare"))
    assert set(registry.tolerances()) == set(registry.shown_in("compare")) | set(registry.run_metrics())
    with pytest.raises(ValueError, match="direction and a tolerance"):
        registry.Metric("bad", "x", "坏", "bad", "0–1", shown=("compare",))
    with pytest.raises(KeyError, match="registry"):
        registry.get("no_such_metric")


TOY = textwrap.dedent('''
    """A toy metric for the registry test: Han characters in the poem."""


    def measure(poems):
        return {"toy_chars": [float(sum(map(len, lines))) for lines in poems.simplified.poems]}
''')


@pytest.fixture
def toy_metric(tmp_path, monkeypatch):
    """``toy_chars``: one module and one registry row, nothing else."""
    folder = tmp_path / "toy"
    folder.mkdir()
    (folder / "toy_metric.py").write_text(TOY, encoding="utf-8")
    monkeypatch.syspath_prepend(str(folder))
    row = registry.Metric("toy_chars", "toy_metric", "字数", "Han characters in the poem", "count", registry.HIGHER,
                          tolerance=1.0, shown=("compare", "table"))
    monkeypatch.setattr(registry, "ROWS", [*registry.ROWS, row])
    return row


def test_a_metric_registered_once_reaches_compare_gate_and_report(toy_metric, tmp_path):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text("".join(json.dumps({"id": f"p{k}", "kind": "free", "prompt": "写一首诗"}, ensure_ascii=False) + "\n"
                               for k in range(len(TANG))), encoding="utf-8")
    for label, texts in (("short", [p[:12] for p in TANG]), ("long", TANG)):
        (outputs / f"{label}.jsonl").write_text("".join(
            json.dumps({"prompt_id": f"p{k}", "output": t}, ensure_ascii=False) + "\n" for k, t in enumerate(texts)),
            encoding="utf-8")
    run_dir = tmp_path / "run"
    run = Run(RunSettings(checkpoints=f"long={outputs / 'long.jsonl'},short={outputs / 'short.jsonl'}",
                          eval_set=str(prompts), output=str(run_dir), backend="file"))
    run.generate(progress=False)
    summaries = score_run(run_dir)
    assert summaries["long"]["metrics"]["toy_chars"]["mean"] > summaries["short"]["metrics"]["toy_chars"]["mean"]

    from poetbench.compare import compare

    comparison = compare(run_dir, "long")
    assert comparison["paired"]["short"]["toy_chars"]["delta"] < 0
    save_baseline(run_dir, "long", tmp_path / "baseline.json")
    verdict = gate(run_dir, tmp_path / "baseline.json", label="short", mode="point")
    check = next(c for c in verdict["checks"] if c["metric"] == "toy_chars")
    assert check["regressed"] and verdict["status"] == "regression"
    html = build(run_dir, embed_font=False).read_text(encoding="utf-8")
    assert "字数 toy_chars" in html and "Han characters in the poem" in html  # a row, and its glossary line
