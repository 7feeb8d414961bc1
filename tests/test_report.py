"""A/B statistics and the HTML report: numbers, escaping, a real browser, the model card."""

import json
import re
import shutil

import pytest
import yaml
from poems import REGULATED, VERNACULAR

from poetbench import evalsets
from poetbench.compare import compare, holm, paired
from poetbench.jsonl import InputError
from poetbench.report import build, markdown_summary, model_card
from poetbench.runner import Run, RunSettings

POEMS = [text for _, text in REGULATED.values()]
EVIL = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "长" * 5000]


def write_outputs(path, outputs):
    path.write_text("".join(json.dumps({"prompt_id": p, "output": o}, ensure_ascii=False) + "\n"
                            for p, o in outputs.items()), encoding="utf-8")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A file-backend run: 'base' writes prose, 'tuned' canonical poems, some identical, some hostile."""
    root = tmp_path_factory.mktemp("report")
    ids = [p["id"] for p in evalsets.load("smoke-v1")]
    base = {p: VERNACULAR[k % len(VERNACULAR)] for k, p in enumerate(ids)}
    tuned = {p: POEMS[k % len(POEMS)] for k, p in enumerate(ids)}
    tuned[ids[0]] = base[ids[0]]  # the same output in both
    for k, text in enumerate(EVIL):
        base[ids[-1 - k]] = text
    write_outputs(root / "base.jsonl", base)
    write_outputs(root / "tuned.jsonl", tuned)
    run = Run(RunSettings(checkpoints=f"base={root / 'base.jsonl'},tuned={root / 'tuned.jsonl'}", eval_set="smoke-v1",
                          output=str(root / "run"), backend="file"))
    run.generate(progress=False)
    run.score()
    return root / "run"


def test_paired_statistics_and_holm():
    result = paired([1.0] * 20, [0.0] * 20)
    assert result["delta"] == 1.0 and result["low"] == result["high"] == 1.0 and result["p"] < 0.001
    noise = paired([0.1, 0.2, 0.3, 0.4], [0.2, 0.1, 0.4, 0.3])
    assert noise["delta"] == pytest.approx(0.0) and noise["p"] > 0.5
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_compare_finds_the_better_checkpoint(run_dir):
    result = compare(run_dir)
    assert result["reference"] == "base" and (run_dir / "comparison.json").is_file()
    poetscore = result["paired"]["tuned"]["poetscore"]
    assert poetscore["delta"] > 30 and poetscore["low"] > 0 and poetscore["p_holm"] < 0.05
    assert result["wins"]["tuned"]["win"] > 0.7 and result["wins"]["tuned"]["tie"] > 0
    assert "Holm" in result["method"]["multiple_comparisons"]
    assert result["steps"] == {}  # no step numbers in these labels


def test_step_curves_when_labels_carry_steps(run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    manifest = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    manifest["checkpoints"][1]["step"] = 100
    (copy / "run.json").write_text(json.dumps(manifest), encoding="utf-8")
    curve = compare(copy)["steps"]["poetscore"]
    assert [p["step"] for p in curve] == [0, 100] and curve[1]["mean"] > curve[0]["mean"]


def test_mixed_signatures_are_refused(run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    summary = json.loads((copy / "tuned" / "summary.json").read_text(encoding="utf-8"))
    summary["signature"] = summary["signature"].replace("book=pingshui", "book=xinyun")
    (copy / "tuned" / "summary.json").write_text(json.dumps(summary), encoding="utf-8")
    with pytest.raises(InputError, match="different metric signatures"):
        compare(copy)


def test_report_holds_model_text_as_text_only(run_dir):
    html = build(run_dir).read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "onerror=alert(1)>" not in html
    data = re.search(r'<script id="viewer-data" type="application/json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in data and ">" not in data
    texts = {v["o"] for v in json.loads(data)["samples"]["base"].values()}
    assert set(EVIL) <= texts  # intact, as data
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # no CDN, no network
    assert html.count('src="data:image/png;base64,') >= 2
    # the EVIL outputs hold no verse: the base's no_verse count reaches the warnings table
    warnings = re.search(r'<table id="warnings">(.*?)</table>', html, re.S).group(1)
    assert "no_verse" in warnings and re.search(r"<td>base</td><td>\d+</td><td>\d+</td><td>\d+</td><td>[1-9]", warnings)
    diversity = re.search(r'<table id="diversity">(.*?)</table>', html, re.S).group(1)
    assert "shared first line" in diversity and all(f"<td>{label}" in diversity for label in ("base", "tuned"))
    assert (run_dir / "report" / "summary.md").read_text(encoding="utf-8").startswith("### poetbench")


def test_viewer_marks_inferred_tones_and_names_rules(run_dir):
    html = build(run_dir).read_text(encoding="utf-8")
    data = json.loads(re.search(r'<script id="viewer-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    tuned = data["samples"]["tuned"].values()
    for view in tuned:
        assert [len(line) for line in view["h"]] == [len(line) for line in view["l"]] == [len(c) for c in view["c"]]
    marks = "".join("".join(view["h"]) for view in tuned)
    assert "P" in marks and "U" in marks  # canonical poems hold 多音字 settled by position and by usual reading
    assert ".inferred" in html and "lighter" in html  # drawn lighter, with a legend
    rules = [v for view in data["samples"]["base"].values() for v in view["v"]]
    assert not any(v.endswith((": nian", ": dui", ": pattern")) for v in rules)  # Chinese names, not keys


def test_markdown_and_model_card(run_dir):
    comparison = compare(run_dir)
    assert "| tuned |" in markdown_summary(comparison)
    card = model_card(run_dir, "tuned").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("---")[1])
    metrics = {m["type"]: m for m in front["model-index"][0]["results"][0]["metrics"]}
    assert metrics["poetscore"]["value"] == pytest.approx(comparison["means"]["tuned"]["poetscore"]["mean"], abs=1e-4)
    assert front["model-index"][0]["results"][0]["dataset"]["revision"] == comparison["eval_set"]["sha256"]
    assert comparison["signature"] in card
    with pytest.raises(InputError, match="not a label"):
        model_card(run_dir, "nope")


def test_an_eval_set_name_with_yaml_syntax_keeps_the_card_valid(run_dir, tmp_path):
    copy = tmp_path / "run"
    shutil.copytree(run_dir, copy)
    manifest = json.loads((copy / "run.json").read_text(encoding="utf-8"))
    name = "my set: v2 'draft' # not a comment"
    manifest["eval_set"]["name"] = name
    (copy / "run.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    card = model_card(copy, "tuned").read_text(encoding="utf-8")
    front = yaml.safe_load(card.split("\n---\n")[0].removeprefix("---\n"))
    assert front["model-index"][0]["results"][0]["dataset"]["name"] == f"poetbench {name}"
    assert f"`{name}`" in markdown_summary(compare(copy))


def test_report_in_a_real_browser(run_dir):
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    html = build(run_dir)
    from pathlib import Path

    shots = Path(__file__).resolve().parents[1] / "reports"
    shots.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("dialog", lambda d: errors.append("dialog: " + d.message))  # an alert() would mean injected code ran
        page.goto(html.as_uri())
        assert page.locator("#summary tr").count() == 3
        assert page.locator("img.plot").count() >= 2
        page.select_option("#labelA", "base")
        page.select_option("#labelB", "tuned")
        everything = page.locator(".pair").count()
        page.check("#onlyDiffer")
        fewer = page.locator(".pair").count()
        assert everything == 12 and fewer == 11  # one prompt has the same output in both
        page.uncheck("#onlyDiffer")
        page.select_option("#kind", "free")
        assert page.locator(".pair").count() == 2
        page.screenshot(path=str(shots / "report-test.png"), full_page=False)
        browser.close()
    assert errors == []
