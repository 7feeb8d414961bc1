"""MIXED: hand-written chat replies for extraction v2, shapes nested and combined, drafts,
versions, and no poem at all, each with the lines extraction must find (``None``: no verse) and
the warnings it must raise. The single shapes are ``poetbench.audit.wrappers.WRAPPERS``.

Every chat string here was written for this project (see ``poetbench/audit/wrappers.py`` for
how the shapes were modelled). Warning vocabulary: ``several_candidates``, ``unclosed_think``,
``mixed_line_lengths``, ``no_verse``. A case lists only the warnings that must be present.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from poetbench.audit.wrappers import couplet_parts, couplets, pinyin_line, punct_lines, say, verse_lines

# ---------------------------------------------------------------------------------------------
# MIXED: hand-written replies, shapes nested and combined, drafts, versions, and no poem at all
# ---------------------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    raw: str
    lines: list[str] | None  # expected verse lines without punctuation; None: no verse at all
    warnings: set[str] = field(default_factory=set)  # warnings that must be present


# Public-domain Tang poems (Simplified), and Traditional ones typed as 全唐诗 has them.
CHUNXIAO_OWN = "晓窗莺语细，帘外落花轻。梦醒闻新雨，春山一夜青。"  # made up for these fixtures
JIANGXUE = "千山鸟飞绝，万径人踪灭。孤舟蓑笠翁，独钓寒江雪。"
XIQIAO_OWN = "溪桥雨歇晚烟轻，野鹭横飞入远汀。独倚疏篱看山色，一痕新月上松青。"  # made up
SHANJU = "空山新雨后，天气晚来秋。明月松间照，清泉石上流。竹喧归浣女，莲动下渔舟。随意春芳歇，王孙自可留。"
MEI_OWN = "寒梅开野岸，疏影落溪前。月色随人去，清香到枕边。"  # made up
JIANGSHANG_OWN = "江上晚风起，孤帆入暮云。谁家吹短笛，声断不堪闻。"  # made up
DENG = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
XIANGSI = "红豆生南国，春来发几枝。愿君多采撷，此物最相思。"
WEICHENG = "渭城朝雨浥轻尘，客舍青青柳色新。劝君更尽一杯酒，西出阳关无故人。"
FENGQIAO = "月落乌啼霜满天，江枫渔火对愁眠。姑苏城外寒山寺，夜半钟声到客船。"
QIUFENG = "秋风清，秋月明，落叶聚还散，寒鸦栖复惊。相思相见知何日，此时此夜难为情。"
CHUNYE = "好雨知时节，当春乃发生。随风潜入夜，润物细无声。野径云俱黑，江船火独明。晓看红湿处，花重锦官城。"
LUZHAI = "空山不见人，但闻人语响。返景入深林，复照青苔上。"
BAIDI = "朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
GUDU_OWN = "风吹古渡夕阳斜，两岸芦花映晚霞。一棹归舟何处泊，柴门犬吠是渔家。"  # made up
DENG_T = "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"
HUANGHELOU_T = "故人西辭黃鶴樓，煙花三月下揚州。孤帆遠影碧空盡，唯見長江天際流。"
JINGYESI_T = "床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。"


def _nl(poem: str, per: str = "line") -> str:
    """The poem laid out one verse line (or one couplet) per line."""
    return "\n".join(punct_lines(poem) if per == "line" else couplets(poem))


MIXED: list[Case] = [
    Case(
        "think_heading_fence_notes",
        "<think>\n用户想要一首写春天清晨的五言绝句。先定韵，用下平声“庚”“青”一带的字收尾。\n"
        "第一版草稿：\n晨光透纱幔，\n花气满庭除。\n"
        "不对，“除”是上平六鱼，跟想好的韵脚不合，换掉。写好后再补两条注释。\n</think>\n\n"
        "## 《春晨》\n\n```\n" + _nl(CHUNXIAO_OWN) + "\n```\n\n"
        "**注释：**\n1. 晓窗：清晨的窗户。\n2. 一夜青：一夜之间山色转绿。\n\n希望您喜欢这首小诗！",
        verse_lines(CHUNXIAO_OWN),
    ),
    Case(
        "blockquote_numbered_list",
        "当然可以，我用引用块把诗排出来：\n\n> **《江雪》**\n>\n"
        + "\n".join(f"> {i}. {line}" for i, line in enumerate(punct_lines(JIANGXUE), 1))
        + "\n\n这首诗用极简的笔墨写出一片寂静的雪景，孤独中带着清高。",
        verse_lines(JIANGXUE),
    ),
    Case(
        "fence_in_list_item",
        "好的，按您的要求分三部分给出：\n\n1. **题目**：《溪桥晚望》\n2. **正文**：\n   ```\n"
        + "\n".join("   " + c for c in couplets(XIQIAO_OWN))
        + "\n   ```\n3. **说明**：前两句写雨后溪边所见，后两句写倚篱望月的闲情。\n",
        verse_lines(XIQIAO_OWN),
    ),
    Case(
        "drafts_then_final_lushi",
        "我先写一版初稿：\n\n山中秋雨歇，林下晚凉生。\n落叶铺苔径，归云绕石城。\n泉声随涧转，月色到窗明。\n独坐无人问，松间一磬鸣。\n\n"
        "读下来觉得中间两联的对仗还可以更工整，尾联也略显平淡。重新调整后：\n\n"
        "**最终版本：**\n\n" + _nl(SHANJU, "couplet") + "\n\n如果还想修改某一联，请告诉我。",
        verse_lines(SHANJU),
    ),
    Case(
        "two_versions_first",
        "好的，我为您写了两个版本，您可以挑选：\n\n**版本一：**\n\n" + _nl(MEI_OWN, "couplet")
        + "\n\n**版本二：**\n\n" + _nl(JIANGSHANG_OWN, "couplet")
        + "\n\n两首都是五言绝句，第一首偏清雅，第二首偏萧瑟。您更喜欢哪一首？",
        verse_lines(MEI_OWN),
        {"several_candidates"},
    ),
    Case(
        "repeated_block_in_analysis",
        "《相思》\n\n" + _nl(XIANGSI, "couplet")
        + "\n\n**赏析：** 全诗借南国的红豆寄托思念，语浅情深。为了方便对照平仄，下面把原诗再抄录一遍：\n\n"
        + _nl(XIANGSI, "couplet") + "\n\n其中第三句用一“多”字，把情意说得恳切而不露。",
        verse_lines(XIANGSI),
        {"several_candidates"},
    ),
    Case(
        "couplet_by_couplet_analysis",
        "**《登鹳雀楼》**\n\n" + _nl(DENG) + "\n\n**逐句赏析：**\n\n"
        + couplets(DENG)[0] + "\n前两句写登楼所见，一写远山落日，一写大河东去，视野开阔。\n\n"
        + couplets(DENG)[1] + "\n后两句由景入理，说明要看得更远就要站得更高。",
        verse_lines(DENG),
    ),
    Case(
        "unclosed_think",
        "<think>\n好的，用户想要一首写雪景的五言绝句。我先想想意象：群山、小路、孤舟、渔翁，这些都很合适，"
        "能写出天地间的寂静。韵脚用入声字，读起来更冷峻。整理一下，直接写出来：\n\n"
        + _nl(JIANGXUE, "couplet") + "\n",
        verse_lines(JIANGXUE),
        {"unclosed_think"},
    ),
    Case(
        "refusal",
        "作为一个AI语言模型，我无法创作针对具体个人的攻击性内容。如果您愿意，我可以换一个积极的主题，"
        "例如写一首关于山水、友情或节日的诗。",
        None,
        {"no_verse"},
    ),
    Case(
        "clarifying_question",
        "请问您想要五言还是七言？是绝句还是律诗？另外，诗的主题和情感基调有没有偏好？"
        "告诉我这些信息后，我就可以开始创作了。",
        None,
        {"no_verse"},
    ),
    Case(
        "greeting_only",
        "你好！很高兴见到你。我是一个人工智能助手，可以陪你聊天、回答问题，也可以写诗作文。今天想聊点什么呢？😊",
        None,
        {"no_verse"},
    ),
    Case(
        "think_only_no_answer",
        "<think>\n用户让我写一首关于秋天的七律。七律要八句，中间两联要对仗。题目可以叫“秋怀”或者“秋夜书怀”。"
        "韵部考虑用下平七阳，意象方面可以用落叶、寒蝉、雁阵和远山。首联点出时令，颔联写景，颈联转入人事，"
        "尾联抒情。接下来开始逐联构思……\n</think>\n\n",
        None,
        {"no_verse"},
    ),
    Case(
        "empty_fence",
        "好的，以下是为您创作的诗：\n\n```\n\n```\n",
        None,
        {"no_verse"},
    ),
    Case(
        "apology",
        "非常抱歉，由于输出长度的限制，这次没能生成完整的回答。请您重新发送请求，我会再试一次。",
        None,
        {"no_verse"},
    ),
    Case(
        "trad_bold_title_pinyin",
        say("好的！以下是一首五言绝句：", True) + "\n\n**《登鸛雀樓》**\n\n" + _nl(DENG_T, "couplet") + "\n\n"
        + say("**拼音：**", True) + "\n"
        + "\n".join(", ".join(pinyin_line(half, cap=i == 0) for i, half in enumerate(parts)) + "." for parts in couplet_parts(DENG_T))
        + "\n\n" + say("希望您喜欢！", True),
        verse_lines(DENG_T),
    ),
    Case(
        "close_think_drafts_final",
        "嗯，用户让我写一首送别的七言绝句。送别诗常用柳、酒、关这些意象。先试一句：“长亭柳色映晴川”，"
        "平仄大致可以，做首句还行。接着写第二句……\n草稿：\n长亭柳色映晴川，\n一盏离觞话旧年。\n"
        "（这两句太平了，换掉。）还是从清晨的雨和客舍的柳写起比较好。\n</think>\n\n"
        "**《送友人西行》**\n\n" + _nl(WEICHENG, "couplet")
        + "\n\n这首诗以朝雨、柳色起笔，以劝酒作结，情意都在一杯酒里。",
        verse_lines(WEICHENG),
    ),
    Case(
        "english_chat_translation",
        "Sure! Here's a classical Chinese quatrain (七言绝句) for you:\n\n**《枫桥夜泊》**\n\n" + _nl(FENGQIAO)
        + "\n\n**Translation:**\n\nThe moon goes down, a crow cries out, frost fills the sky;\n"
        "by river maples and fishing lights I lie awake with my sorrow.\n"
        "From the temple on Cold Mountain, outside the city wall,\n"
        "the midnight bell reaches the traveller's boat.\n\nLet me know if you'd like any changes!",
        verse_lines(FENGQIAO),
    ),
    Case(
        "mixed_line_lengths_zayan",
        "好的，这是一首三五七言的杂言小诗，句子由短到长：\n\n### 《秋风词》\n\n"
        "秋风清，秋月明，\n落叶聚还散，寒鸦栖复惊。\n相思相见知何日，此时此夜难为情。\n\n"
        "这种体式每两句递增两字，节奏由急转缓。",
        verse_lines(QIUFENG),
        {"mixed_line_lengths"},
    ),
    Case(
        "couplet_role_labels",
        "以下是一首五言律诗，我按联标出结构：\n\n**《春夜喜雨》**\n\n"
        + "\n".join(f"{label}：{c}" for label, c in zip(("首联", "颔联", "颈联", "尾联"), couplets(CHUNYE)))
        + "\n\n颔联与颈联两两对仗，尾联以想象收束全篇。",
        verse_lines(CHUNYE),
    ),
    Case(
        "tone_pattern_after",
        "好的，下面是一首七言绝句，并附上平仄：\n\n《溪桥晚望》\n" + _nl(XIQIAO_OWN, "couplet")
        + "\n\n平仄：\n平平仄仄仄平平，仄仄平平仄仄平。\n仄仄平平平平仄，仄平平仄仄平平。\n",
        verse_lines(XIQIAO_OWN),
    ),
    Case(
        "unclosed_fence_truncated",
        "好的，以下是为您创作的七言绝句：\n\n```\n《古渡晚归》\n" + _nl(GUDU_OWN) + "\n",
        verse_lines(GUDU_OWN),
    ),
    Case(
        "one_line_slashes",
        "这是我写的小诗，用斜线分句：\n\n" + " / ".join(verse_lines(BAIDI)) + "\n\n全诗写舟行之快，轻快明朗。",
        verse_lines(BAIDI),
    ),
    Case(
        "poem_then_table",
        "《鹿柴》\n\n" + _nl(LUZHAI, "couplet") + "\n\n| 诗句 | 释义 |\n| --- | --- |\n"
        "| 空山不见人 | 山中空寂，看不到人影 |\n| 但闻人语响 | 只听见人说话的回声 |\n"
        "| 返景入深林 | 夕阳的余晖照进深林 |\n| 复照青苔上 | 又映在青苔之上 |\n",
        verse_lines(LUZHAI),
    ),
    Case(
        "trad_close_think_heading",
        say("好的，用户想要一首写江边送别的七言绝句，用繁体字。先想意象：烟花三月、孤帆、长江。"
            "押韵用下平十一尤，楼、州、流三字同韵。\n</think>\n\n", True)
        + "### 《黃鶴樓送孟浩然之廣陵》\n\n" + _nl(HUANGHELOU_T, "couplet") + "\n\n"
        + say("这首诗以景寄情，孤帆消失在天际，送别之情尽在不言中。如需调整，请告诉我。", True),
        verse_lines(HUANGHELOU_T),
    ),
    Case(
        "trad_title_author_blockquote",
        say("标题：", True) + "靜夜思\n" + say("作者：李白（唐）", True) + "\n\n"
        + "\n".join("> " + line for line in punct_lines(JINGYESI_T)) + "\n\n"
        + say("这首诗语言浅白，却把思乡之情写得极为真切。", True),
        verse_lines(JINGYESI_T),
    ),
]
