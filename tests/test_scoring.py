"""`poetbench score` on what users really send: prompt fields of their own, Chinese form names,
emoji inside the verse."""

import json
import subprocess
import sys

import pytest

from poetbench import scoring
from poetbench.forms import form_key
from poetbench.jsonl import read_rows
from poetbench.metrics.adherence import read_prompt
from poetbench.scoring import RowStats, Scorer, score_rows

POEM = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"  # 五绝
QILV = "风急天高猿啸哀，渚清沙白鸟飞回。无边落木萧萧下，不尽长江滚滚来。万里悲秋常作客，百年多病独登台。艰难苦恨繁霜鬓，潦倒新停浊酒杯。"


def run(*args):
    return subprocess.run([sys.executable, "-m", "poetbench", *map(str, args)], capture_output=True, text=True)


def write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_kind_field_of_the_users_own_is_one_warning_not_thirty_failed_rows(tmp_path):
    src = write(tmp_path / "outputs.jsonl", [{"id": i, "kind": "real" if i % 3 == 0 else "base", "text": POEM}
                                             for i in range(30)])
    proc = run("score", src)
    assert proc.returncode == 0, proc.stderr
    assert "scored 30 rows, 0 with errors" in proc.stderr
    assert proc.stderr.count("warning") == 1  # one warning for the file, not one per row
    assert f"warning: {src}: prompt fields with values poetbench does not know were ignored" in proc.stderr
    assert '  kind "real", "base": 30 rows, first at line 1; poetbench reads continuation, topic, form, free' in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    bare = Scorer().score(POEM)
    assert all("error" not in r and r["scores"] == bare and r["kind"] in ("real", "base") for r in rows)


def test_values_it_does_not_know_are_ignored_field_by_field(tmp_path):
    src = write(tmp_path / "in.jsonl", [
        {"text": POEM, "kind": "topic", "keywords": ["山", "河"]},  # known: read
        {"text": POEM, "kind": "topic", "keywords": [1, 2]},  # keywords unknown: no adherence
        {"text": POEM, "form": "sonnet", "prompt": 7},
        {"text": POEM, "form": "sonnet"},
        {"poem": POEM},  # no text: still a failed row, the only one
    ])
    stats = score_rows(Scorer(), str(src), str(tmp_path / "out.jsonl"), jobs=1)
    out = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert out[0]["scores"]["adherence"] == 1.0 and out[1]["scores"]["adherence"] is None
    assert out[2]["scores"]["form_ok"] is True  # the unknown form is not requested: a regulated poem is ok
    assert "no 'text' field" in out[4]["error"] and (stats.scored, stats.errors) == (4, 1)
    warning = stats.warning(str(src))
    assert warning.count(f"{src}") == 1
    assert "  keywords [1, 2]: 1 row, first at line 2; poetbench reads a text or a list of texts" in warning
    assert '  form "sonnet": 2 rows, first at line 3' in warning and "  prompt 7: 1 row, first at line 3" in warning
    assert read_prompt({"text": POEM}) == (None, {}) and RowStats().warning("x") is None  # no prompt fields: no warning


def test_the_warning_counts_rows_across_chunks_and_worker_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(scoring, "SCORE_CHUNK", 7)
    rows = [{"text": POEM, "kind": f"model-{i % 4}"} for i in range(40)]
    rows[25]["kind"] = "topic"
    src = write(tmp_path / "in.jsonl", rows)
    stats = score_rows(Scorer(), str(src), str(tmp_path / "out.jsonl"), jobs=2)
    assert stats.scored == 40 and stats.ignored["kind"].rows == 39 and stats.ignored["kind"].first_line == 1
    assert '  kind "model-0", "model-1", "model-2" and 1 more: 39 rows, first at line 1' in stats.warning(str(src))


@pytest.mark.parametrize("name,key", [
    ("七律", "qilv"), ("七言律诗", "qilv"), ("七言律詩", "qilv"), ("五绝", "wujue"), ("五言绝句", "wujue"), ("七絕", "qijue"),
    ("五律", "wulv"), ("排律", "pailv"), ("五言排律", "pailv"), ("古诗", "gushi"), ("古体", "gushi"), ("古體詩", "gushi"),
    ("WUJUE", "wujue"), ("Qilv", "qilv"), (" wulv ", "wulv"), ("gushi", "gushi"),
    ("sonnet", None), ("绝句", None), ("律诗", None), (5, None), ("", None),  # 绝句 alone does not say 5 or 7 characters
])
def test_form_names(name, key):
    assert form_key(name) == key


def test_chinese_form_names_and_any_case_are_requests_not_rejected_rows(tmp_path):
    src = write(tmp_path / "in.jsonl", [
        {"text": POEM, "kind": "form", "form": "五绝"},
        {"text": POEM, "kind": "Form", "form": "WUJUE"},
        {"text": POEM, "kind": "form", "form": "七律"},  # asked for a 七律, wrote a 五绝
        {"text": QILV, "kind": "FORM", "form": "七律"},
        {"text": POEM, "kind": "Topic", "keywords": ["山"]},
    ])
    proc = run("score", src)
    assert proc.returncode == 0 and "warning" not in proc.stderr, proc.stderr
    scores = [json.loads(line)["scores"] for line in proc.stdout.splitlines()]
    assert [(s["form_ok"], s["adherence"]) for s in scores] == [
        (True, 1.0), (True, 1.0), (False, 0.0), (True, 1.0), (True, 1.0)]
    assert Scorer().score(POEM, form="七绝")["form_ok"] is False and Scorer().score(QILV, form="七律")["form_ok"] is True
    with pytest.raises(ValueError, match="unknown form 'sonnet'"):
        Scorer().score(POEM, form="sonnet")


@pytest.mark.parametrize("text", [
    "白日依山尽🌞，黄河入海流。欲穷千里目，更上一层楼。",  # the report: a 6-character gushi at 28.9
    "白日依山❤️尽，黄河入海流。欲穷千里目，更上一层楼👨‍👩‍👧～",  # variation selector, ZWJ sequence, ～ (Sm)
    "白日依山尽，黄河🇨🇳入海流。欲穷千里目★，更上一层楼。",  # a flag (regional indicators), ★
    "白日依山尽 ♪，黄河入海流 ♪。欲穷千里目 ♪，更上一层楼 ♪。",
    "1️⃣ 白日依山尽，黄河入海流。\n2️⃣ 欲穷千里目，更上一层楼。",  # keycaps: digit, U+FE0F, U+20E3, all dropped
    "白日依山尽\U0001FAE8，黄河入海流。欲穷千里目，更上一层楼。",  # an emoji newer than this Python's Unicode tables
])
def test_emoji_and_symbols_are_not_characters_of_a_line(text, scorer):
    bare = scorer.score(POEM)
    assert bare["form"] == "wujue" and bare["poetscore"] > 90
    assert scorer.score(text) == bare


def test_characters_and_their_stand_ins_still_count(scorer):
    lost = scorer.score("白日依□尽，黄河入海流。欲穷千里目，更上一层楼。")  # 全唐诗's mark of a lost character
    assert lost["line_lengths"] == [5, 5, 5, 5] and lost["form"] == "wujue"
    six = scorer.score("白日依山尽啊，黄河入海流。欲穷千里目，更上一层楼。")  # a real sixth character
    assert six["line_lengths"] == [6, 5, 5, 5] and six["form"] == "gushi" and six["poetscore"] < 40
    assert scorer.analyse("白日依山尽🌞，黄河入海流。").extraction.raw.count("🌞") == 1  # the text itself is kept


def test_rows_read_from_a_file_keep_every_field(tmp_path):
    src = write(tmp_path / "in.jsonl", [{"text": POEM, "kind": "base", "form": "七律", "extra": [1]}])
    row = next(read_rows(str(src))).data
    prompt, ignored = read_prompt(row)
    assert ignored == {"kind": "base"} and prompt.form == "qilv" and prompt.kind is None
