"""Eval sets (versioned, hashed, validated) and the SFT templates they share with training."""

import json
import subprocess
import sys

import pytest
from conftest import CORPUS

from poetbench import evalsets, sft
from poetbench.data.prepare import prepare
from poetbench.jsonl import InputError


def test_smoke_set_needs_no_corpus_and_matches_its_hash():
    rows = evalsets.build("smoke-v1")
    assert len(rows) == 12 and {r["kind"] for r in rows} == {"topic", "form", "free"}
    assert evalsets.content_hash(rows) == evalsets.registry()["smoke-v1"]["content_hash"]
    assert [tuple(r) for r in rows][0] == evalsets.FIELDS


def test_hash_is_stable_and_changes_with_one_prompt():
    rows = evalsets.build("smoke-v1")
    assert evalsets.content_hash(rows) == evalsets.content_hash(json.loads(json.dumps(rows)))
    changed = [dict(r) for r in rows]
    changed[3]["prompt"] += "。"
    assert evalsets.content_hash(changed) != evalsets.content_hash(rows)


def test_core_set_from_the_real_corpus(tang, tmp_path):
    prepare(f"chinese-poetry:{CORPUS}", tmp_path / "split")
    rows = evalsets.build("core-v1", tmp_path / "split")  # raises on a hash mismatch
    kinds = [r["kind"] for r in rows]
    assert len(rows) == 200 and kinds.count("continuation") == 60 and kinds.count("free") == 20
    held = {json.loads(line)["id"] for line in (tmp_path / "split" / "heldout.jsonl").open(encoding="utf-8")}
    assert all(r["ref_id"] in held for r in rows if r["kind"] == "continuation")


def test_core_set_refuses_a_different_corpus(tmp_path):
    from test_data import planted, write_corpus

    corpus = write_corpus(tmp_path / "corpus", planted())
    prepare(f"chinese-poetry:{corpus}", tmp_path / "split", heldout=0.5)
    with pytest.raises(InputError, match="held-out .* poems"):
        evalsets.build("core-v1", tmp_path / "split")
    with pytest.raises(InputError, match="give --corpus"):
        evalsets.build("core-v1")


def test_user_sets_are_validated_with_file_and_line(tmp_path):
    good = tmp_path / "mine.jsonl"
    good.write_text(json.dumps({"id": "a", "kind": "topic", "prompt": "写春天", "keywords": ["春"]}, ensure_ascii=False)
                    + "\n", encoding="utf-8")
    assert evalsets.build(str(good))[0] == {"id": "a", "kind": "topic", "prompt": "写春天", "form": None,
                                            "keywords": ["春"], "ref_id": None, "given": None}
    cases = {
        '{"id": "a", "kind": "topic"': "bad.jsonl:2: malformed JSON",
        '{"id": "b", "kind": "poem", "prompt": "x"}': "bad.jsonl:2: kind 'poem'",
        '{"kind": "free", "prompt": "x"}': "bad.jsonl:2: missing id",
        '{"id": "a", "kind": "free", "prompt": "x"}': "bad.jsonl:2: duplicate id",
        '{"id": "c", "kind": "continuation", "prompt": "x"}': "bad.jsonl:2: a continuation prompt needs 'given'",
    }
    for line, message in cases.items():
        bad = tmp_path / "bad.jsonl"
        bad.write_text(good.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
        with pytest.raises(InputError, match=message):
            evalsets.build(str(bad))
    with pytest.raises(InputError, match="not found"):
        evalsets.build("nope-v9")


def test_training_and_evaluation_share_the_templates():
    rows = evalsets.build("smoke-v1")
    topic = rows[0]
    assert topic["prompt"] == sft.prompt_text("topic", 0, title="春雨")
    messages = sft.to_messages({"id": "x", "title": "登鸛雀樓", "form": "wujue",
                                "text": "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"}, kind="continuation")
    assert [m["role"] for m in messages] == ["system", "user", "assistant"]
    assert messages[1]["content"] in [sft.prompt_text("continuation", k, first="白日依山尽", form="wujue") for k in (0, 1)]
    assert messages[2]["content"] == "黄河入海流。\n欲穷千里目，更上一层楼。"  # the given line is not repeated
    form = sft.to_messages({"id": "x", "title": "登鸛雀樓", "form": "wujue", "text": "白日依山盡，黃河入海流。"}, kind="form")
    assert "五言绝句" in form[1]["content"] and "登鹳雀楼" in form[1]["content"]
    kinds = {sft.to_messages({"id": str(k), "title": "题", "form": "wujue", "text": "白日依山盡，黃河入海流。"})[1]["content"][:2]
             for k in range(40)}
    assert len(kinds) >= 4  # the kind is spread over the rows, by id


def test_cli_list_and_show():
    out = subprocess.run([sys.executable, "-m", "poetbench", "evalset", "list"], capture_output=True, text=True)
    assert "smoke-v1" in out.stdout and "core-v1" in out.stdout
    out = subprocess.run([sys.executable, "-m", "poetbench", "evalset", "show", "smoke-v1"], capture_output=True, text=True)
    assert len(out.stdout.splitlines()) == 12
