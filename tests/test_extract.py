"""Extraction v2: real chat replies read exactly, judged three ways.

* invariance: a poem in any of the chat wrappers of ``poetbench/audit/wrappers.py`` scores as the
  bare poem (and the blind set of ``wrappers_blind.py`` is measured);
* the mixed set: nested wrappers, drafts before a final version, replies with no poem;
* controls: bare poems stay clean (no chatter, no warning), talk is never verse.
"""

import json
import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from poetbench.audit.invariance import COMPARED, held_out, invariance
from poetbench.audit.poems import REGULATED, VERNACULAR
from poetbench.audit.wrappers import WRAPPERS
from poetbench.audit.wrappers_blind import BLIND
from poetbench.audit.wrappers_mixed import MIXED
from poetbench.text import markup
from poetbench.text.extract import WARNINGS, _extract, extract_poem, is_plain
from poetbench.text.lines import split_lines
from poetbench.text.script import to_simplified

CANONICAL = [(title, text, True) for title, (_, text) in REGULATED.items()] + \
            [(to_simplified(title), to_simplified(text), False) for title, (_, text) in REGULATED.items()]


def test_there_are_at_least_fifteen_wrapper_styles():
    assert len(WRAPPERS) >= 15 and len(MIXED) >= 15


@pytest.mark.parametrize("name", list(WRAPPERS))
def test_every_wrapper_scores_the_canonical_poems_as_bare(name, scorer):
    wrap = WRAPPERS[name]
    bare = scorer.score_many([text for _, text, _ in CANONICAL])
    replies = [wrap(text, title, trad) for title, text, trad in CANONICAL]
    wrapped = scorer.score_many(replies)
    for (title, text, _), b, w, reply in zip(CANONICAL, bare, wrapped, replies):
        assert extract_poem(reply).lines == extract_poem(text).lines, (title, reply)
        assert {k: w[k] for k in COMPARED} == {k: b[k] for k in COMPARED}, (title, reply)
        assert b["tone_ok"] and b["rhyme_ok"]  # the canonical poems pass, so a wrapper cannot hide a failure


@pytest.mark.parametrize("wrappers", [WRAPPERS, BLIND], ids=["wrappers", "blind"])
def test_invariance_on_held_out_poems_in_both_scripts(tang, wrappers):
    poems = held_out(every=100)
    assert len(poems) > 1000 and sum(trad for *_, trad in poems) == len(poems) // 2
    rates = invariance(poems, wrappers=wrappers)
    low = {name: round(hits / n, 4) for name, (n, hits) in rates.items() if hits / n < 0.99}
    assert not low, f"wrappers under 99% invariant: {low}"


@pytest.mark.parametrize("case", MIXED, ids=[c.name for c in MIXED])
def test_mixed_replies(case, scorer):
    got = extract_poem(case.raw)
    assert got.lines == (case.lines or []), [(d.kind, d.text[:30], d.reason) for d in got.dropped]
    assert case.warnings <= set(got.warnings)
    record = scorer.score(case.raw)
    assert record["extract_warnings"] == got.warnings and set(got.warnings) <= set(WARNINGS)
    if case.lines is None:  # talk is chatter; a reasoning block alone is not
        assert record["n_lines"] == 0 and record["poetscore"] is None and got.warnings == ["no_verse"]
        assert record["chatter"] == (set(got.removed) != {"reasoning"}), got.removed


def test_a_draft_then_a_final_version_records_the_choice():
    draft = "寒烟封远岫，落叶满空庭。沙鸥眠浅渚，山月照荒亭。"
    final = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    got = extract_poem(f"初稿：\n{draft}\n\n最终版本：\n{final}\n\n希望你喜欢！")
    assert got.poem == final and got.chosen == 1 and "final" in got.choice
    assert got.candidates[0] == [draft] and got.warnings == ["several_candidates"]
    kinds = [(d.kind, d.text) for d in got.dropped]
    assert kinds == [("preamble", "初稿："), ("candidate", draft), ("preamble", "最终版本："), ("commentary", "希望你喜欢！")]
    # without the label, the first of two equal poems is chosen, and the reason says so
    two = extract_poem(f"{draft}\n\n我再写一首。\n\n{final}")
    assert two.poem == draft and "first of equals" in two.choice


def test_analyse_names_every_dropped_block_and_why(scorer):
    raw = ("<think>\n先想想韵脚。\n</think>\n好！以下是一首五绝：\n\n**《登鹳雀楼》**\n\n1. 白日依山尽，\n2. 黄河入海流。\n"
           "3. 欲穷千里目，（注：穷，尽也）\n4. 更上一层楼。\n\n赏析：末两句写登高望远。\n\n---\n需要我再写一首吗？")
    detail = scorer.analyse(raw).extraction
    assert detail.lines == ["白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"]
    assert [(d.kind, d.text) for d in detail.dropped] == [
        ("reasoning", "先想想韵脚。"), ("preamble", "好！以下是一首五绝："), ("title", "《登鹳雀楼》"),
        ("notes", "（注：穷，尽也）"), ("commentary", "赏析：末两句写登高望远。"), ("commentary", "需要我再写一首吗？")]
    assert all(d.reason for d in detail.dropped)


def test_invisible_and_direction_characters_go_first():
    poem = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    dirty = "\ufeff白日\u200b依山尽，\u202a黄河入海流\u202c。\u2066欲穷千里目\u2069，\u200e更上一层楼。\u2028"
    assert extract_poem(dirty).lines == extract_poem(poem).lines
    assert extract_poem("白日依山尽\u2028黄河入海流\u2029欲穷千里目\r\n更上一层楼").lines == extract_poem(poem).lines


def test_unclosed_think_is_a_warning_and_its_drafts_never_leak_out():
    got = extract_poem("<think>\n用户要一首五绝，想一想：\n山高云自远，水阔月初明。")
    assert "unclosed_think" in got.warnings and got.lines == ["山高云自远", "水阔月初明"]
    closed = extract_poem("<think>\n草稿：\n山高云自远，水阔月初明。\n</think>\n")
    assert closed.lines == [] and closed.warnings == ["no_verse"] and closed.removed["reasoning"]


CHATTY = [
    "您好！{}", "你好呀～\n{}", "抱歉让您久等了。\n{}", "{}\n\n需要我再写一首吗？", "{}\n如需修改，请随时告诉我。",
    "{}\n\n您觉得这首诗的意境如何？", "{}\n\n如果您想要七言的版本，我也可以再写。", "请问您想要什么主题？先写一首试试：\n{}",
    "{}\n\n以上就是我的作品，欢迎指正！", "{}\n\nLet me know if you'd like changes.",
]
TALK_ONLY = [
    "作为一个AI语言模型，我无法满足这个请求。", "对不起，我不能写这首诗。", "请问您想要五言还是七言？",
    "您好！有什么可以帮您的吗？", "抱歉，我没有理解您的意思，能否再说明一下？", "I'm sorry, I can't help with that.",
]


@pytest.mark.parametrize("wrapper", CHATTY)
def test_chatter_catches_greetings_apologies_questions_and_offers(wrapper, scorer):
    poem = REGULATED["送友人"][1]
    record = scorer.score(wrapper.format(poem))
    assert record["chatter"] is True and record["n_lines"] == 8 and record["tone_ok"] is True


@pytest.mark.parametrize("text", TALK_ONLY)
def test_replies_with_no_verse_are_chatter_and_score_nothing(text, scorer):
    record = scorer.score(text)
    assert record["chatter"] is True and record["n_lines"] == 0 and record["extract_warnings"] == ["no_verse"]
    assert record["form_ok"] is False and record["poetscore"] is None


def test_bare_poems_stay_clean(scorer, tang):
    # (the corpus's own bracketed editorial notes are dropped as notes, which is chatter: left out)
    poems = [text for text in tang[::97] if split_lines(text) and not re.search(r"[（(【〔\[]", text)]
    poems += [text for _, text, _ in CANONICAL]
    records = scorer.score_many(poems)
    assert not [p for p, r in zip(poems, records) if r["chatter"]]
    regular = [r for r in records if r["length_regularity"] == 1]
    assert len(regular) > 300 and not [r for r in regular if r["extract_warnings"]]


def test_vernacular_controls_are_still_scored_as_text(scorer):
    # Prose is not talk: a control without chat phrases is read (and fails) as a poem.
    records = scorer.score_many(VERNACULAR)
    assert all(r["n_lines"] > 0 and r["classical_ratio"] < 0.6 for r in records)


def test_fast_path_and_full_path_agree(tang):
    poems = list(tang[::23])
    assert sum(map(is_plain, poems)) > 1500 and sum("（" in p for p in poems) > 100  # plain ones, and notes
    for text in poems:
        fast, full = extract_poem(text), _extract(text)
        assert (fast.lines, fast.warnings, fast.dropped) == (full.lines, full.warnings, full.dropped), text


def test_plain_text_skips_the_markdown_parser_with_the_same_lines(tang):
    texts = [markup.normalise(wrap(text, "题", trad)) for text in tang[:600:3] for trad in (False, True)
             for wrap in WRAPPERS.values()] + [markup.normalise(text) for text in tang[::11]]
    plain = [text for text in texts if not markup._MARKDOWN_RE.search(text)]
    assert len(plain) > 5000
    for text in plain:
        fast, parsed = markup.markdown_lines(text), markup.markdown_lines(text, parse=True)
        assert [(line.text, line.kind, line.emphasis) for line in fast] == \
               [(line.text, line.kind, line.emphasis) for line in parsed], text
        same_block = lambda lines: [a.block == b.block for a, b in zip(lines, lines[1:])]  # noqa: E731
        assert same_block(fast) == same_block(parsed), text


HAN = st.sampled_from("山水月风花云天人春秋江城孤舟落日明白黄河海流欲穷千里目更上一层楼好您嗯可以当然诗中首联希望注题")


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.text(HAN, min_size=1, max_size=8), st.sampled_from(["，", "。", "？", "！", "；", "\n",
                                                                              "（注：山名），", "(一作云)。"])),
                min_size=1, max_size=12))
def test_fast_path_agrees_with_the_full_path_on_any_plain_text(pieces):
    text = "".join(a + b for a, b in pieces)
    fast, full = extract_poem(text), _extract(text)
    assert (fast.lines, fast.warnings, fast.dropped) == (full.lines, full.warnings, full.dropped)


@settings(max_examples=300, deadline=None)
@given(st.text(HAN, min_size=1, max_size=10),
       st.lists(st.tuples(st.text(HAN, min_size=1, max_size=8), st.sampled_from(["，", "。", "？", "！", "；", "\n"])),
                min_size=1, max_size=12))
def test_a_title_on_the_verse_line_reads_as_the_full_path_reads_it(title, pieces):
    """The fast path for 《浣溪沙》 and the verse after it on one line (a 词 as people title it)."""
    text = f"《{title}》" + "".join(a + b for a, b in pieces)
    fast, full = extract_poem(text), _extract(text)
    assert (fast.lines, fast.warnings, fast.dropped, fast.poem) == (full.lines, full.warnings, full.dropped, full.poem)


def test_warnings_are_counted_in_the_summary(tmp_path):
    from poetbench import evalsets
    from poetbench.runner import Run, RunSettings

    prompts = evalsets.load("smoke-v1")
    poem = REGULATED["登鸛雀樓"][1]
    outputs = [poem, "请问您想要五言还是七言？", f"初稿：\n{poem}\n最终版本：\n{poem}", "春风吹，柳色新。江水绿如蓝，远山青。"]
    rows = [{"prompt_id": p["id"], "output": outputs[k % len(outputs)]} for k, p in enumerate(prompts)]
    (tmp_path / "out.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    run = Run(RunSettings(checkpoints=f"m={tmp_path / 'out.jsonl'}", eval_set="smoke-v1", output=str(tmp_path / "r"),
                          backend="file"))
    run.generate(progress=False)
    summary = run.score()["m"]
    assert summary["extract_warnings"] == {"several_candidates": 3, "unclosed_think": 0, "mixed_line_lengths": 3,
                                           "no_verse": 3}
    saved = json.loads((tmp_path / "r" / "m" / "summary.json").read_text(encoding="utf-8"))
    assert saved["extract_warnings"] == summary["extract_warnings"]


def test_a_random_shuffle_of_wrapped_poems_keeps_each_verdict(scorer):
    # scoring many wrapped replies at once gives the same records as one at a time
    rng = random.Random(0)
    replies = [rng.choice(list(WRAPPERS.values()))(text, title, trad) for title, text, trad in CANONICAL]
    assert scorer.score_many(replies) == [scorer.score(r) for r in replies]
