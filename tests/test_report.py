"""A/B statistics and the HTML report: numbers, escaping, a real browser, the model card."""

import json
import re
import shutil

import pytest
import yaml

from poetbench import evalsets
from poetbench.audit.poems import REGULATED, VERNACULAR
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
    tuned[ids[1]] = "白日依山尽，黄河入海流。欲穷千山目，更上一层楼。"  # 山 breaks line 3's pattern (犯律)
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
    rules = [v for view in data["samples"]["tuned"].values() for v in view["v"]]
    assert rules and {v[2] for v in rules} <= {"犯律", "失粘", "失对", "孤平", "三平尾"}  # textbook names, not keys
    assert all(v[3] and v[3].isascii() for v in rules)  # with the English for the tooltip


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


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
# Every element that reaches past the window's right edge, outside a box that scrolls sideways.
CUT_OFF = """() => {
  const width = document.documentElement.clientWidth, out = [];
  if (document.documentElement.scrollWidth > width) out.push("the page scrolls sideways: " + document.documentElement.scrollWidth);
  for (const e of document.body.querySelectorAll("*")) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > width + 1 && !(e.parentElement && e.parentElement.closest(".scroll")))
      out.push(e.tagName + "#" + e.id + "." + e.className + " ends at " + Math.round(r.right));
  }
  return out;
}"""
# How a character draws in the page's own font: its advance width and how many pixels it inks.
GLYPH = """async (chars) => {
  await document.fonts.ready;
  const family = getComputedStyle(document.body).fontFamily;
  await document.fonts.load("48px " + family, chars.join(""));
  const draw = (ch) => {
    const canvas = document.createElement("canvas"); canvas.width = canvas.height = 64;
    const g = canvas.getContext("2d"); g.font = "48px " + family; g.textBaseline = "top"; g.fillText(ch, 4, 4);
    const pixels = g.getImageData(0, 0, 64, 64).data; let ink = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 127) ink++;
    return [Math.round(g.measureText(ch).width), ink];
  };
  return chars.map(draw);
}"""


def chromium_or_skip():
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    return sync_api, chromium


def test_report_in_a_real_browser(run_dir, with_font):
    sync_api, chromium = chromium_or_skip()
    html = build(run_dir)
    from pathlib import Path

    shots = Path(__file__).resolve().parents[1] / "reports"
    shots.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        for width in (1280, 800):
            page = browser.new_page(viewport={"width": width, "height": 1800})
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: errors.append("dialog: " + d.message))  # an alert() would mean injected code ran
            requests = []
            page.on("request", lambda r: requests.append(r.url) if not r.url.startswith(("file:", "data:")) else None)
            page.goto(html.as_uri())
            assert page.locator("#verdict tr").count() == 2  # the header and tuned against base
            assert page.locator("#summary tr th").count() == 3  # metric, base, tuned
            assert page.locator("img.plot").count() >= 2
            assert page.evaluate(CUT_OFF) == [], width  # nothing cut off: wide tables scroll inside their box
            # the verdict fits the window without scrolling, even under a long label (GRPO runs name their rewards)
            page.evaluate("document.querySelector('#verdict td').textContent = 'grpo60-' + 'form_tone_linkage2_'.repeat(5)")
            assert page.evaluate("(b => b.scrollWidth <= b.clientWidth)(document.querySelector('#verdict').parentElement)")
            # the metric names stay in view while the table scrolls sideways
            box = page.locator("#summary").locator("xpath=..")
            box.evaluate("e => e.scrollLeft = e.scrollWidth")
            name = page.locator("#summary td").first.bounding_box()
            assert name["x"] >= box.bounding_box()["x"] - 1
            page.select_option("#labelA", "base")
            page.select_option("#labelB", "tuned")
            everything = page.locator(".pair").count()
            page.check("#onlyDiffer")
            fewer = page.locator(".pair").count()
            assert everything == 12 and fewer == 11  # one prompt has the same output in both
            page.uncheck("#onlyDiffer")
            assert page.evaluate(CUT_OFF) == [], width  # the poems too, the 5000-character line included
            rule = page.locator(".viol abbr").first
            assert rule.inner_text() in ("犯律", "失粘", "失对", "孤平", "三平尾") and rule.get_attribute("title").isascii()
            assert "not regulated" in page.locator("#viewer").inner_text()
            page.select_option("#kind", "free")
            assert page.locator(".pair").count() == 2
            page.screenshot(path=str(shots / f"report-test-{width}.png"), full_page=False)
            assert errors == [] and requests == []
            page.close()
        browser.close()


def fontconfig_without_cjk(tmp_path):
    """A fontconfig file that lists the machine's Latin fonts only: Chromium then has no Chinese glyph of its own."""
    from pathlib import Path

    latin = [d for d in ("/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/truetype/liberation") if Path(d).is_dir()]
    if not latin:
        pytest.skip("no DejaVu or Liberation fonts to draw the tofu box with")
    conf = tmp_path / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<fontconfig>' + "".join(f"<dir>{d}</dir>" for d in latin)
                    + f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    return conf


def test_han_characters_render_with_real_glyphs_without_a_system_cjk_font(run_dir, tmp_path, with_font):
    """Chromium without any CJK font of its own: the embedded subset draws real glyphs, where a report
    without it draws the tofu box (the same width and ink as a character no font has)."""
    sync_api, chromium = chromium_or_skip()
    from poetbench.report import fonts

    if not fonts.candidates():
        pytest.skip("this machine has no CJK font to embed")
    embedded = build(run_dir, tmp_path / "with-font")
    bare = build(run_dir, tmp_path / "without-font", embed_font=False)
    assert "font/woff2;base64," in embedded.read_text(encoding="utf-8")
    assert 'id="font-banner"' in bare.read_text(encoding="utf-8")  # the reader is told why and what to install
    env = {"FONTCONFIG_FILE": str(fontconfig_without_cjk(tmp_path)), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS, env=env)
        drawn = {}
        for name, html in (("embedded", embedded), ("bare", bare)):
            page = browser.new_page(viewport={"width": 800, "height": 600})
            page.goto(html.as_uri())
            drawn[name] = page.evaluate(GLYPH, ["诗", "国", "\ue000"])  # two Han characters the page uses, and tofu
            page.close()
        browser.close()
    (poem, country, tofu) = drawn["embedded"]
    assert poem != tofu and country != tofu and poem != country, drawn  # real, different glyphs
    (poem, country, tofu) = drawn["bare"]
    assert poem == tofu and country == tofu, drawn  # the control: boxes, so the check above can fail


def test_the_report_opens_with_its_verdict_and_hides_empty_metrics(run_dir):
    from poetbench.compare import verdict

    [tuned] = verdict(compare(run_dir))
    better = {m["metric"] for m in tuned["better"]}
    assert tuned["label"] == "tuned" and {"classical_ratio", "fluency", "poetscore"} <= better
    assert not better & {m["metric"] for m in tuned["worse"]}
    for moved in tuned["better"]:
        assert moved["low"] > 0 or moved["metric"] in ("chatter", "vernacular_markers", "fluency_bpc")
    html = build(run_dir).read_text(encoding="utf-8")
    assert html.index('id="verdict"') < html.index('id="summary"') < html.index('id="viewer"')
    verdict_table = re.search(r'<table id="verdict">(.*?)</table>', html, re.S).group(1)
    assert "classical_ratio +" in verdict_table and "poetscore +" in verdict_table
    summary = re.search(r'<table id="summary">(.*?)</table>', html, re.S).group(1)
    assert "copy_overlap" not in summary and ">合体 form_ok<" in summary  # metrics are rows, Chinese first; empty ones hidden
    assert "copy_overlap (needs a reference corpus: --reference)" in html  # … with the reason
    assert "**tuned**: better on classical_ratio +" in markdown_summary(compare(run_dir))


def test_the_report_carries_a_subset_font_of_its_own_characters(run_dir, tmp_path, monkeypatch, with_font):
    import base64
    import io

    from fontTools.ttLib import TTFont

    from poetbench.report import fonts

    if not fonts.candidates():
        pytest.skip("this machine has no CJK font to embed")
    html = build(run_dir, tmp_path / "report").read_text(encoding="utf-8")
    font = TTFont(io.BytesIO(base64.b64decode(re.search(r"font/woff2;base64,([A-Za-z0-9+/=]+)\)", html).group(1))))
    assert font.flavor == "woff2"
    held = set(font.getBestCmap())
    han = {ord(ch) for ch in html if "\u4e00" <= ch <= "\u9fff"}
    assert han and han <= held  # every Han character the page shows …
    assert len(held) < 3 * len({ord(ch) for ch in html if ord(ch) > 0x7F})  # … and not the whole font
    assert 'id="font-banner"' not in html
    monkeypatch.setenv("POETBENCH_REPORT_FONT", "none")  # no font: the banner names what would help
    bare = build(run_dir, tmp_path / "bare").read_text(encoding="utf-8")
    assert "font/woff2" not in bare and 'id="font-banner"' in bare and "fonts-noto-cjk" in bare


def test_long_outputs_are_truncated_in_the_page_with_their_full_length(tmp_path):
    """Two labels whose first output is a 120,000-character loop (the same up to its last character):
    the page carries a few thousand characters of each, says how long it was, and still tells
    the two apart."""
    from poetbench.report import viewer

    ids = [p["id"] for p in evalsets.load("smoke-v1")]
    loop = "白日依山尽，黄河入海流。" * 10_000
    outputs = {"a": loop + "甲", "b": loop + "乙"}
    for label, big in outputs.items():
        write_outputs(tmp_path / f"{label}.jsonl", {p: big if k == 0 else POEMS[k % len(POEMS)] for k, p in enumerate(ids)})
    run = Run(RunSettings(checkpoints=f"a={tmp_path / 'a.jsonl'},b={tmp_path / 'b.jsonl'}", eval_set="smoke-v1",
                          output=str(tmp_path / "run"), backend="file"))
    run.generate(progress=False)
    run.score()
    html = build(tmp_path / "run", embed_font=False).read_text(encoding="utf-8")
    assert len(html) < 400_000  # 0.29 MB; 2.3 MB when the page carried every character of both, with its tone
    data = json.loads(re.search(r'<script id="viewer-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    a, b = (data["samples"][label][ids[0]] for label in ("a", "b"))
    assert a["o"] == loop[:viewer.SHOWN_CHARS] + "… (120,001 characters; truncated)"
    assert sum(map(len, a["l"])) == viewer.SHOWN_CHARS and a["m"] == "… (100,001 characters in 20,001 lines; truncated)"
    assert [len(line) for line in a["l"]] == [len(c) for c in a["c"]] == [len(h) for h in a["h"]]
    assert a["o"] == b["o"] and a["d"] != b["d"]  # "only where they differ" compares the whole outputs
    assert all(v[0] <= len(a["l"]) for v in a["v"]) and all(n <= len(a["l"]) for n in a["r"])
    short = data["samples"]["a"][ids[1]]
    assert short["o"] == POEMS[1] and "m" not in short and "d" not in short  # a poem is carried whole
    assert "sa.d === sb.d" in html and "sample.m" in html
