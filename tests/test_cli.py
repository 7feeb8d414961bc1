"""The CLI end to end, and bad input: no crash, an `error` per bad row, one clear message per bad file."""

import json
import subprocess
import sys

import pytest

from poetbench.scoring import SCORE_KEYS, Scorer, score_row

POEM = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"


def run(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "poetbench", *args], input=stdin, capture_output=True, text=True)


def test_score_file_to_file(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"id": 1, "text": POEM}, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    proc = run("score", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    row = json.loads(out.read_text(encoding="utf-8"))
    assert row["id"] == 1 and row["text"] == POEM
    assert set(row["scores"]) == set(SCORE_KEYS)
    assert row["scores"]["form"] == "wujue" and row["scores"]["tone_ok"] is True
    assert row["scores"]["copy_overlap"] is None  # no --reference: null, never a guess
    assert 0.5 < row["scores"]["classical_ratio"] <= 1 and 0 < row["scores"]["poetscore"] <= 100
    assert row["signature"].startswith("poetbench:") and "book=pingshui" in row["signature"]
    assert "scored 1 rows" in proc.stderr


def test_score_stdin_field_book_and_strict():
    line = json.dumps({"poem": POEM}, ensure_ascii=False)
    proc = run("score", "-", "--field", "poem", "--book", "xinyun", "--strict", stdin=line + "\n")
    row = json.loads(proc.stdout)
    assert "book=xinyun|tone=strict" in row["signature"]
    assert row["scores"]["rhyme_group"] == "七尤"


BAD_ROWS = [
    ('{"text": ""}', None),
    ('{"text": "   \\n\\t "}', None),
    ('{"text": "😀🌙😀🌙"}', None),
    ('{"text": "The moon is bright tonight, and I miss home."}', None),
    ('{"text": "' + "山" * 10000 + '"}', None),
    ('{"text": "床前\\u0000明月光\\u0007，疑是\\u001b地上霜。"}', None),
    ('{"text": 17}', "not text"),
    ('{"other": "x"}', "no 'text' field"),
    ('{"text": null}', "field 'text' is null"),
    ('{"text": "床前明月光", "form": "sonnet"}', None),  # an unknown prompt value is ignored, with a warning
    ('{"text": "床前明月光", ', "malformed JSON"),
    ('[1, 2]', "expected a JSON object"),
]


def test_bad_rows_get_an_error_and_the_run_goes_on(tmp_path):
    src = tmp_path / "bad.jsonl"
    lines = [row for row, _ in BAD_ROWS] + [json.dumps({"text": POEM}, ensure_ascii=False)]
    src.write_bytes(("\n".join(lines) + "\n").encode("utf-8") + b'{"text": "\xff\xfe"}\n')
    proc = run("score", str(src))
    failed = sum(error is not None for _, error in BAD_ROWS) + 1
    assert proc.returncode == 1 and f"{failed} of {len(BAD_ROWS) + 2} rows failed" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert run("score", str(src), "--keep-going").returncode == 0
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(out) == len(BAD_ROWS) + 2
    for (row, error), got in zip(BAD_ROWS, out):
        if error is None:
            assert "error" not in got and got["scores"]["form"] in ("other", "gushi"), row[:40]
        else:
            assert error in got["error"] and f"{src}:" in got["error"], (row, got)
    assert out[len(BAD_ROWS)]["scores"]["tone_ok"] is True  # the good row after the bad ones
    assert "not valid UTF-8" in out[-1]["error"]
    assert out[5]["scores"]["line_lengths"] == [5, 5]  # control characters dropped


@pytest.mark.parametrize("path,message", [("missing.jsonl", "no such file"), (".", "is a directory")])
def test_unreadable_file_is_one_clear_message(tmp_path, path, message):
    proc = run("score", str(tmp_path / path))
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_output_is_written_atomically(tmp_path):
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n")
    proc = run("score", str(tmp_path / "missing.jsonl"), "-o", str(out))
    assert proc.returncode == 2 and out.read_text() == "previous\n"


def test_tones_keeps_every_line_length():
    text = "床前明月光，疑是地上霜。\nHello 世界 😀\n\n國破山河在"
    proc = run("tones", stdin=text + "\n")
    assert proc.returncode == 0
    got = proc.stdout.splitlines()
    assert got == ["平平平仄平，平仄仄仄平。", "Hello 仄仄 😀", "", "仄仄平平仄"]
    for a, b in zip(text.splitlines(), got):
        assert len(a) == len(b)


def test_tones_reads_a_file_and_marks_undecided(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_text("遥看瀑布挂前川\n", encoding="utf-8")
    assert run("tones", str(path)).stdout == "平○仄仄仄平平\n"
    assert run("tones", "--book", "xinyun", str(path)).stdout == "平仄仄仄仄平平\n"


def test_check_shows_tones_breaks_rhymes_and_verdict():
    proc = run("check", "国破山河在，城春草木深。感时花溅泪，恨别鸟惊心。烽火连三月，家书抵万金。白头搔更短，浑欲不胜簪。")
    assert proc.returncode == 0
    assert "wulv" in proc.stdout and "tone ok  yes" in proc.stdout and "下平十二侵" in proc.stdout
    assert "◎" in proc.stdout
    broken = run("check", "白日依山尽，黄河入海流。欲穷千里目，更上一层天。").stdout
    assert "[" not in broken.split("legend")[0]  # tones fit …
    assert "rhyme ok NO" in broken and "天" in broken  # … the rhyme does not
    broken = run("check", "白日依山尽，黄河入海流。欲穷千山目，更上一层楼。").stdout
    assert "tone ok  NO" in broken
    # the broken character itself is marked, and its tone under it: 山 (line 3, char 4) should be 仄
    assert " 欲  穷  千 [山] 目" in broken and " 仄  平  平 [平] 仄" in broken
    assert broken.split("legend")[0].count("[") == 2


def test_check_names_the_rule_and_explains_every_rule_it_applied():
    # 王维《渭城曲》, 折腰体: one 失粘 at line 3, nothing else.
    out = run("check", "--explain", "渭城朝雨浥轻尘，客舍青青柳色新。劝君更尽一杯酒，西出阳关无故人。").stdout
    assert "line 3 char 2: 失粘" in out and "失对" not in out.split("rules applied")[0]
    explained = out.split("rules applied")[1].split("legend")[0].strip().splitlines()
    names = [line.split()[0] for line in explained]
    assert names == ["一三五不论", "句式", "对", "粘", "孤平", "三平尾", "拗救", "押韵", "多音字"]
    assert "失粘 at 2→3" in out and "held in 1-2, 3-4" in out
    assert "inferred 轻 平 (line 1, position)" in out
    plain = run("check", "渭城朝雨浥轻尘，客舍青青柳色新。劝君更尽一杯酒，西出阳关无故人。").stdout
    assert "rules applied" not in plain


def test_score_accepts_a_bom_and_keeps_an_input_error_field(tmp_path):
    src = tmp_path / "bom.jsonl"
    rows = [{"text": POEM, "error": "upstream timeout"}, {"text": POEM}]
    src.write_bytes(b"\xef\xbb\xbf" + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8"))
    proc = run("score", str(src))
    assert proc.returncode == 0, proc.stderr
    out = [json.loads(line) for line in proc.stdout.splitlines()]
    assert out[0]["input_error"] == "upstream timeout" and "error" not in out[0] and out[0]["scores"]["tone_ok"]
    assert out[1]["scores"]["tone_ok"] is True


def test_check_marks_fallback_characters():
    out = run("check", "她在山中住，云深不知处。").stdout
    assert "fallback 她" in out


def test_help_explains_each_command():
    for command in ("score", "tones", "check"):
        proc = run(command, "--help")
        assert proc.returncode == 0 and "usage: poetbench" in proc.stdout


def test_score_row_keeps_the_input_unchanged():
    row = {"text": "國破山河在，城春草木深。感時花濺淚，恨別鳥驚心。", "meta": [1]}
    out = score_row(Scorer(), dict(row))
    assert out["text"] == row["text"] and out["meta"] == [1]


def test_tones_names_the_line_of_bad_utf8():
    proc = subprocess.run([sys.executable, "-m", "poetbench", "tones"], input="床前明月光\n".encode() + b"\xff\xfe\n",
                          capture_output=True)
    assert proc.returncode == 2
    assert proc.stdout.decode() == "平平平仄平\n"
    assert b"stdin:2: not valid UTF-8" in proc.stderr and b"Traceback" not in proc.stderr


def test_parallel_scoring_matches_one_process(tmp_path):
    src = tmp_path / "many.jsonl"
    good = json.dumps({"text": POEM}, ensure_ascii=False)
    lines = [good if k % 7 else BAD_ROWS[k % len(BAD_ROWS)][0] for k in range(2500)]  # 3 chunks, some bad rows
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outputs = []
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}.jsonl"
        assert run("score", str(src), "-o", str(out), "--jobs", jobs, "--keep-going").returncode == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] and outputs[0].count(b"\n") == 2500


@pytest.mark.parametrize("command", ["run", "generate"])
def test_run_options_are_the_run_settings_fields(command):
    """`run` and `generate` build RunSettings field by field from their options (poetbench.cli.runs):
    each field has its option, and each option its field."""
    import dataclasses

    from poetbench.cli import build_parser
    from poetbench.cli.runs import run_settings
    from poetbench.runner import RunSettings

    args = build_parser().parse_args([command, "--checkpoints", "a=b", "--eval-set", "smoke-v1", "-o", "out",
                                      "--gen-kwargs", "temperature=0.7", "--timeout", "3"])
    fields = {f.name for f in dataclasses.fields(RunSettings)}
    assert set(vars(args)) - {"func", "verbose"} == fields
    settings = run_settings(args)
    assert settings.eval_set == "smoke-v1" and settings.output == "out" and settings.timeout == 3.0
    assert settings.gen_kwargs["temperature"] == 0.7
