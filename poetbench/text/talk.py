"""Assistant talk around a poem: the phrase tables and the rules that use them.

A *sentence* (text up to 。！？!?; emoji at its ends set aside) is talk when


* it opens with a phrase below: an opener (好的, 以下是, Sure), commentary (这首诗, 赏析), a
  closer or offer (希望你喜欢, 如需修改, 需要我再写一首吗), a greeting (您好), an apology (抱歉),
  a refusal (作为一个AI, 我无法) or a clarifying question (请问, 您想要); or
* it holds the polite 您, never found in classical verse; or
* it is a question to the reader (ends in ？ and holds 您, or *you*); or
* it is a bare interjection (好！, 嗯。, Sure!).

Openers (好的, 当然), weak talk (我不能, 如有) and weak commentary openers (诗中, 以上) count only
when the sentence is not verse-shaped (lines of 4–7 characters, all of one length): a classical
line may start so (可以横绝峨眉巅, 如有箫韶声). The other phrases are modern and mark talk even in
a short, verse-shaped sentence (希望您喜欢！).

A *vernacular* line (``is_vernacular``) holds two or more modern particles (的, 吗, 您, 我们 …)
and is not verse-shaped; extraction reads such a line as talk when it follows a poem in another paragraph
(改动后意境更统一，韵脚也更稳了。).

A *label* is a line that ends in a colon (以下是修改后的版本：, 赏析：) or a heading or bold line
made of one label word (## 赏析, **最终版本**). Its ``label_kind`` decides how what follows is
read: ``final`` (最终版本, 修改后, 定稿), ``draft`` (初稿, 草稿), ``commentary`` (注, 赏析, 译文,
拼音, 格律) or ``other``. Every phrase is written in Simplified; the Traditional forms are derived
through OpenCC (once, then from the disk cache), so both scripts are recognised. The title
prefixes (题目：, 作者：) and line labels (首联：) that extraction drops live here too.
"""

from __future__ import annotations

import re
import unicodedata

from poetbench.text.lines import has_han, split_lines
from poetbench.text.script import to_traditional, words_to_traditional

OPENERS = (
    "好的", "好吧", "好嘞", "当然", "没问题", "可以的", "以下是", "以下为", "下面是", "下面为", "这是我",
    "这是一首", "为您", "为你", "给您", "给你", "我来", "我为", "我将", "我写", "我已", "请欣赏", "请看",
    "如下", "根据您", "根据你", "按照您", "按照你", "收到", "明白", "嗯", "让我", "我们来",
    "Sure", "sure", "Here", "here", "OK", "Okay", "okay", "Certainly", "Of course",
)
GREETINGS = ("你好", "您好", "嗨", "哈喽", "亲爱的", "Hi", "Hello", "hello")
APOLOGIES = ("抱歉", "非常抱歉", "十分抱歉", "很抱歉", "真抱歉", "对不起", "不好意思", "很遗憾", "遗憾的是", "Sorry", "sorry", "Apologies", "I apologize")
REFUSALS = (
    "作为一个", "作为一名", "作为AI", "作为人工智能", "作为语言模型", "作为一款", "我是一个", "我只是一个",
    "我无法", "我没法", "我没有办法", "我做不到",
    "As an AI", "I can't", "I cannot", "I'm unable", "I am unable",
)
QUESTIONS = (
    "请问", "您想", "你想", "您希望", "你希望", "您需要", "你需要", "您是否", "你是否", "是否需要", "需要我",
    "要不要", "您能否", "你能否", "能否告诉", "您更喜欢", "你更喜欢",
    "Would you", "Do you", "Could you", "Shall I",
)
OFFERS = (
    "希望", "如果您", "如果你", "如果想", "如果还", "如果需要", "如果有", "如需", "若需", "若您", "若你", "需要的话", "欢迎", "随时", "请告诉",
    "告诉我", "让我知道", "您可以", "你可以", "我可以", "我还可以", "可以再", "还需要", "还有什么", "祝您",
    "祝你", "谢谢", "再写", "再来一首", "有任何", "有什么", "我再", "另一首", "还有一首",
    "下面这首",
    "I hope", "Hope you", "Enjoy", "enjoy", "Let me know", "let me know", "Feel free", "feel free", "If you",
)
# Talk phrases a classical line may also start with (我不能…, 如有…, 可否…): only when not verse-shaped.
WEAK_TALK = ("我不能", "无法为", "不能为", "要我", "可否", "如有", "再为", "我又", "感谢", "期待")
INTERJECTIONS = ("好", "好的", "行", "嗯", "嗯嗯", "哈哈", "嘿", "哇", "太好了", "没问题", "当然", "当然可以", "可以",
                 "OK", "Ok", "Sure", "Okay", "Great")
VERNACULAR = ("的", "吗", "呢", "吧", "哦", "啦", "呀", "嘛", "您", "你", "我们", "这", "非常", "一些", "更加", "觉得",
              "因为", "所以", "但是", "如果", "一点")
# Commentary openers: talk even when the sentence happens to be verse-shaped (v1's list).
COMMENTARY = (
    "这首诗", "此诗", "本诗", "全诗", "该诗", "注：", "注:", "注释", "注解", "赏析", "译文", "解析",
    "翻译", "说明", "创作背景", "这是一首", "改动", "修改后", "整体", "总体", "这种", "这样", "Note", "note", "This poem",
)
# Weaker commentary openers: a verse line could start so, so only when not verse-shaped.
WEAK_COMMENTARY = ("这首", "首联", "颔联", "颈联", "尾联", "诗中", "诗人", "以上", "整首", "总的来说", "总之", "其中", "首句", "末句", "前两句",
                   "后两句", "这两句", "此句", "该句", "意境", "韵脚", "平仄", "格律")

FINAL_LABELS = ("最终", "最后的版本", "定稿", "终稿", "修改", "修订", "改进", "改写", "改成", "改为", "改一下", "再改",
                "优化", "润色", "调整后", "完善后", "正式版", "Final", "final", "Revised", "revised")
DRAFT_LABELS = ("初稿", "草稿", "第一稿", "初版", "草拟", "试写", "构思", "思路", "Draft", "draft")
COMMENTARY_LABELS = ("小贴士", "贴士", "提示", "Tips", "tips", "注释", "注解", "赏析", "简析", "鉴赏", "解析", "译文", "翻译", "白话", "释义", "说明",
                     "背景", "创作", "解读", "分析", "点评", "拼音", "注音", "韵脚", "格律", "平仄", "押韵", "意境",
                     "Translation", "translation", "Pinyin", "pinyin", "Notes", "notes", "Analysis", "English")
# Labels extraction drops with their line: a title or byline field (题目：…, 作者：…) and the
# name of a line or couplet before it (首联：…).
TITLE_PREFIXES = ("题目", "标题", "诗题", "题", "诗名", "作者", "朝代", "诗人", "作品", "体裁", "诗体", "体例", "格式", "形式",
                  "日期", "时间", "署名")
LINE_LABELS = ("首联", "颔联", "颈联", "尾联", "起句", "承句", "转句", "合句")


# The Traditional form of every phrase above, converted once and then read from the disk cache.
_TRADITIONAL = words_to_traditional(
    OPENERS + GREETINGS + APOLOGIES + REFUSALS + QUESTIONS + OFFERS + WEAK_TALK + INTERJECTIONS + VERNACULAR
    + COMMENTARY + WEAK_COMMENTARY + FINAL_LABELS + DRAFT_LABELS + COMMENTARY_LABELS + TITLE_PREFIXES + LINE_LABELS
    + ("注", "注意", "you", "You"))


def trie(words: set[str]) -> str:
    """A regex matching any of ``words``, shared prefixes factored out (much faster to search)."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return build(tree)


def both_scripts(words: tuple[str, ...]) -> set[str]:
    return set(words) | {_TRADITIONAL.get(w) or to_traditional(w) for w in words}


def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(both_scripts(tuple(words)), key=len, reverse=True))


TALK_WORDS = OPENERS + WEAK_TALK + GREETINGS + APOLOGIES + REFUSALS + QUESTIONS + OFFERS + WEAK_COMMENTARY
_TALK_RE = re.compile(r"^\s*(?:" + alternation(TALK_WORDS) + ")")
_STRONG_RE = re.compile(r"^\s*(?:" + alternation(COMMENTARY + GREETINGS + APOLOGIES + REFUSALS + QUESTIONS + OFFERS) + ")")
_COMMENTARY_RE = re.compile(r"^\s*(?:" + alternation(COMMENTARY) + ")")
_WEAK_COMMENTARY_RE = re.compile(r"^\s*(?:" + alternation(WEAK_COMMENTARY) + ")")
_QUESTION_RE = re.compile(r"(?:您|" + alternation(("you",)) + r").*[？?]\s*$")
_INTERJECTION_RE = re.compile(r"^\s*(?:" + alternation(INTERJECTIONS) + r")\s*[！!～~。.，,]*\s*$")
# final and draft words anywhere in the label (以下是修改后的版本：); commentary words at its end
# (以下是这首诗的赏析：, not 以下是我为您创作的一首诗：)
_LABEL_RES = [("final", re.compile(alternation(FINAL_LABELS))), ("draft", re.compile(alternation(DRAFT_LABELS))),
              ("commentary", re.compile("(?:" + alternation(COMMENTARY_LABELS) + r")(?:如下|部分|内容)?$"))]
_COMMENTARY_NOTE_RE = re.compile(r"^\s*(?:" + alternation(("注", "注意")) + r")\s*\d*\s*$")
_VERNACULAR_RE = re.compile(alternation(VERNACULAR))
_ASKS_RE = re.compile(r"[？?]\s*$")
_SENTENCE_RE = re.compile(r"[^。！？!?]*[。！？!?]*")
_COLON_RE = re.compile(r"[:：]")
# Every phrase and sign that can make a plain text more than verse (for the fast path).
ALL_WORDS = both_scripts(TALK_WORDS + COMMENTARY + FINAL_LABELS + DRAFT_LABELS + COMMENTARY_LABELS)
# What else can make a sentence of plain Han text talk: a sentence that is an interjection alone
# (好！, 嗯。, a line 好， alone), and the polite 您, tested with ``in``.
INTERJECTION_SENTENCE_RE = re.compile(r"(?:^|(?<=[。！？!?]))\s*(?:" + trie(both_scripts(INTERJECTIONS))
                                      + r")[\s～~.，,]*(?:[。！？!?]+|$)", re.MULTILINE)
# Anything that can make some sentence of a line talk: when none is there, no sentence is.
_ANY_TALK_RE = re.compile(trie(both_scripts(TALK_WORDS + COMMENTARY + GREETINGS + APOLOGIES + REFUSALS + QUESTIONS
                                            + OFFERS + INTERJECTIONS + ("you", "You"))))


def looks_like_verse(text: str) -> bool:
    """Lines of 4 to 7 characters, all of one length: verse rather than talk."""
    lengths = {len(line) for line in split_lines(text)}
    return len(lengths) == 1 and 4 <= next(iter(lengths)) <= 7


def strip_symbols(text: str) -> str:
    """``text`` without emoji and other pictographs at its ends (🌸 好的！, ✨《题》✨)."""
    start, end = 0, len(text)
    while start < end and _is_symbol(text[start]):
        start += 1
    while end > start and _is_symbol(text[end - 1]):
        end -= 1
    return text[start:end]


def _is_symbol(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) in ("So", "Sk", "Mn", "Cf") or char in "～~"


def is_talk(sentence: str) -> bool:
    """True when ``sentence`` is assistant talk rather than verse (rules in the docstring)."""
    sentence = strip_symbols(sentence)
    if "您" in sentence:
        return True
    if _STRONG_RE.match(sentence) or _INTERJECTION_RE.match(sentence):
        return True
    if not (_TALK_RE.match(sentence) or _QUESTION_RE.search(sentence)):
        return False
    return not looks_like_verse(sentence)


def is_vernacular(line: str) -> bool:
    """Two or more modern particles in a line that is not verse-shaped: prose, not verse."""
    return len(_VERNACULAR_RE.findall(line)) >= 2 and not looks_like_verse(line)


def opens_commentary(sentence: str) -> bool:
    """Talk that starts a commentary section (这首诗…, 诗中…) rather than a closer or a question."""
    return bool(_COMMENTARY_RE.match(sentence) or _WEAK_COMMENTARY_RE.match(sentence))


def split_talk(line: str) -> tuple[str, str, str]:
    """``(talk before, verse, talk after)``: leading talk sentences, the verse, and everything from
    the first talk sentence after the verse on. After leading talk, questions, sentences with
    modern particles and sentences that open with talk are talk too, whatever their shape
    (你好！很高兴见到你。请问…？是绝句还是律诗？…，下面是我的创作。)."""
    if "您" not in line and not _ANY_TALK_RE.search(line):
        return "", line.strip(), ""
    sentences = [s for s in _SENTENCE_RE.findall(line) if s.strip()]
    start = 0
    while start < len(sentences) and is_talk(sentences[start]):
        start += 1
    while 0 < start < len(sentences) and (_VERNACULAR_RE.search(sentences[start]) or _ASKS_RE.search(sentences[start])
                                          or _TALK_RE.match(strip_symbols(sentences[start]))):
        start += 1
    end = start
    while end < len(sentences) and not is_talk(sentences[end]):
        end += 1
    join = "".join
    return join(sentences[:start]).strip(), join(sentences[start:end]).strip(), join(sentences[end:]).strip()


def label_kind(text: str, ends_line: bool = True) -> str | None:
    """The kind of label ``text`` is (final, draft, commentary, other), or None when it is no label.

    With a closing colon, any text that names a label word (final and draft words anywhere,
    commentary words at its end), opens with talk or has no Han character (Assistant:) is a label,
    and so is one that ends its line and is not verse-shaped (以下是一首诗：, 诗作如下：); without a colon, only a short text (up to 6
    characters) that names a label word. A colon inside a line of verse (妾曰：…) is no label."""
    body = text.strip()
    colon = body.endswith(("：", ":"))
    body = body.rstrip("：: ")
    if not body or len(body) > 40 or (not colon and len(body) > 6):
        return None
    for kind, pattern in _LABEL_RES:
        if pattern.search(body):
            return kind
    if _COMMENTARY_NOTE_RE.match(body):
        return "commentary"
    if colon and (_TALK_RE.match(body) or body.endswith(("如下", "如次", "以下")) or not has_han(body)
                  or (ends_line and not looks_like_verse(body))):
        return "other"
    return None


def split_label(line: str) -> tuple[str, str]:
    """``(label, rest)`` when ``line`` opens with a label and a colon (以下是一首诗：床前…), else ("", line)."""
    colon = _COLON_RE.search(line)
    if not colon:
        return "", line
    head, rest = line[:colon.end()], line[colon.end():]
    if label_kind(head, ends_line=not rest.strip()) is None or (not has_han(rest) and rest.strip()):
        return "", line
    return head.strip(), line[colon.end():].strip()
