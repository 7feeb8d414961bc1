"""Instruction templates and SFT formatting, shared by training and evaluation.

One place defines how a poem is asked for. Training turns corpus rows into chat messages with
these templates (``to_messages``); eval sets build their prompts with the same ones
(``prompt_text``), so a fine-tuned model is evaluated on the kind of request it learned from.

Kinds: ``continuation`` (the first line is given), ``topic`` (the title is given), ``form``
(写一首七言绝句，题为…) and ``free``. A 词 (a row of ``form`` ``ci`` with its ``tune``, from
``data prepare --ci``) is asked for by its tune (``CI_TEMPLATES``: 填一首《浣溪沙》), as a
continuation or on its own, and answered as the poet punctuated it.
"""

from __future__ import annotations

import hashlib

from poetbench.forms import CI, FORM_NAMES
from poetbench.text.lines import split_lines
from poetbench.text.script import to_simplified

SYSTEM = "你是一位精通中国古典诗词的诗人，只写诗，不加解释。"
TEMPLATES = {
    "continuation": ("续写这首{form_name}，首句是：{first}", "以“{first}”为第一句，写完这首{form_name}。"),
    "topic": ("以《{title}》为题，写一首古诗。", "请写一首诗，题目是《{title}》。"),
    "form": ("写一首{form_name}，题为《{title}》。", "请创作一首{form_name}，题目是《{title}》。"),
    "free": ("写一首古诗。", "请即兴写一首中国古典诗词。"),
}
KINDS = tuple(TEMPLATES)
CI_TEMPLATES = {  # a 词 is asked for by its tune
    "continuation": ("续写这首《{tune}》，首句是：{first}", "以“{first}”起句，填完这首《{tune}》。"),
    "form": ("填一首《{tune}》，写{title}。", "请以《{tune}》为词牌，填一首词，题为《{title}》。"),
    "free": ("填一首《{tune}》。", "请按《{tune}》的词谱填一首词。"),
}


def prompt_text(kind: str, variant: int = 0, *, title: str = "", first: str = "", form: str | None = None,
                tune: str | None = None) -> str:
    """The user request of ``kind`` (template ``variant``, wrapping around); with a ``tune``, the
    request for a 词 to that tune (``CI_TEMPLATES``)."""
    templates = CI_TEMPLATES[kind] if tune else TEMPLATES[kind]
    return templates[variant % len(templates)].format(title=title, first=first, tune=tune or "",
                                                      form_name=FORM_NAMES.get(form or "", "诗"))


def poem_text(lines: list[str]) -> str:
    """A poem as the assistant writes it: a couplet per line, ，between and 。after."""
    couplets = [lines[k:k + 2] for k in range(0, len(lines), 2)]
    return "\n".join("，".join(pair) + "。" for pair in couplets)


def _pick(key: str, seed: int, n: int) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}:{key}".encode()).digest()[:4], "big") % n


def to_request(row: dict, kind: str | None = None, seed: int = 0) -> dict:
    """The request a corpus row teaches, as an eval-set row (``kind``, ``prompt``, ``form``,
    ``keywords``, ``given``), with the poem that answers it under ``answer``.

    ``row`` needs ``text`` (or ``text_simp``), and ``title``/``form`` where the kind uses them.
    Without ``kind``, one is chosen from the row's id and ``seed`` (stable across runs).
    """
    if row.get("form") == CI and row.get("tune"):
        return _ci_request(row, kind, seed)
    lines = split_lines(row.get("text_simp") or to_simplified(row["text"]))
    title = to_simplified(row.get("title") or "").split(" ")[0]
    kinds = [k for k in KINDS if not (k in ("topic", "form") and not title) and not (k == "continuation" and len(lines) < 2)]
    key = str(row.get("id", row.get("text")))
    kind = kind or kinds[_pick(key, seed, len(kinds))]
    user = prompt_text(kind, _pick(key + kind, seed, 2), title=title, first=lines[0] if lines else "", form=row.get("form"))
    answer = poem_text(lines)
    if kind == "continuation":  # the given line and its comma are in the request
        answer = answer[len(lines[0]) + 1:].lstrip("\n")
    return {"kind": kind, "prompt": user, "form": row.get("form") if kind in ("form", "continuation") else None,
            "keywords": [], "given": lines[0] if kind == "continuation" else None, "answer": answer}


def _ci_request(row: dict, kind: str | None, seed: int) -> dict:
    """``to_request`` for a 词: asked by its tune, answered in the poet's own punctuation."""
    text = (row.get("text_simp") or to_simplified(row["text"])).strip()
    lines, tune = split_lines(text), row["tune"]
    kinds = ("free", "continuation") if len(lines) >= 2 and text.startswith(lines[0]) else ("free",)
    key = str(row.get("id", text))
    kind = kind if kind in kinds else kinds[_pick(key, seed, len(kinds))]
    user = prompt_text(kind, _pick(key + kind, seed, 2), first=lines[0] if lines else "", tune=tune)
    answer = text[len(lines[0]) + 1:].lstrip() if kind == "continuation" else text
    return {"kind": kind, "prompt": user, "form": CI, "cipai": tune, "keywords": [],
            "given": lines[0] if kind == "continuation" else None, "answer": answer}


def to_messages(row: dict, kind: str | None = None, seed: int = 0) -> list[dict]:
    """Chat messages (system, user, assistant) that teach writing the poem of a corpus row
    (the request of ``to_request``)."""
    request = to_request(row, kind, seed)
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": request["prompt"]},
            {"role": "assistant", "content": request["answer"]}]


def turn_closing(tokenizer) -> str:
    """What to add to an answer so that the rendered conversation ends its assistant turn with
    the token that stops generation: nothing when the chat template closes the last turn itself
    (Qwen2, the tiny model), the end-of-turn token when it does not (Qwen1.5-Chat closes the last
    message only when a generation prompt follows)."""
    probe = [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]
    rendered = tokenizer.apply_chat_template(probe, tokenize=False)
    eos = tokenizer.eos_token or ""
    return "" if not eos or eos in rendered[rendered.rindex("y"):] else eos


def to_prompt_completion(messages: list[dict], closing: str = "") -> dict:
    """A conversation as trl's prompt–completion example: every message but the last is the
    prompt, the answer (with ``closing``, see ``turn_closing``) the completion, so the loss falls
    on the answer under the model's own template, generation markers or not."""
    *prompt, answer = messages
    return {"prompt": prompt, "completion": [{"role": "assistant", "content": answer["content"] + closing}]}
