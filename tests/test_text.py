from poetbench.text import extract_poem, split_lines, to_simplified


def test_split_lines_on_full_and_half_width_punctuation_and_newlines():
    assert split_lines("床前明月光，疑是地上霜。") == ["床前明月光", "疑是地上霜"]
    assert split_lines("床前明月光,疑是地上霜.\n举头望明月;低头思故乡!") == ["床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"]
    assert split_lines("床前明月光\r\n\n疑是地上霜？") == ["床前明月光", "疑是地上霜"]
    assert split_lines("床前 明月光\t，  ") == ["床前明月光"]  # spaces inside a line do not count


def test_plain_poem_is_kept_whole():
    text = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"
    got = extract_poem(text)
    assert got.poem == text and got.removed == {} and len(got.lines) == 4


def test_chat_wrapping_is_dropped_and_recorded():
    raw = ("好的，以下是一首七言绝句：\n《早发白帝城》\n朝辞白帝彩云间，千里江陵一日还。（注：还读huán）\n"
           "两岸猿声啼不住，轻舟已过万重山。\n这首诗描写了诗人遇赦的喜悦。希望你喜欢！")
    got = extract_poem(raw)
    assert got.lines == ["朝辞白帝彩云间", "千里江陵一日还", "两岸猿声啼不住", "轻舟已过万重山"]
    assert got.removed["preamble"] == ["好的，以下是一首七言绝句："]
    assert got.removed["title"] == ["《早发白帝城》"]
    assert got.removed["notes"] == ["（注：还读huán）"]
    assert got.removed["commentary"][0].startswith("这首诗描写了")
    assert got.raw == raw  # the original is kept unchanged


def test_wrapping_on_one_line_and_in_traditional():
    got = extract_poem("當然可以！以下是一首詩：床前明月光，疑是地上霜。舉頭望明月，低頭思故鄉。這首詩表達了思鄉之情。")
    assert got.lines == ["床前明月光", "疑是地上霜", "舉頭望明月", "低頭思故鄉"]
    assert set(got.removed) == {"preamble", "commentary"}


def test_title_prefix_author_line_and_english_talk():
    got = extract_poem("题：静夜思\n作者：李白\nSure! Here is a poem:\n床前明月光，疑是地上霜。\n\nI hope you like it.")
    assert got.lines == ["床前明月光", "疑是地上霜"]
    assert got.removed["title"] == ["题：静夜思", "作者：李白"]
    assert got.removed["commentary"] == ["I hope you like it."]


def test_verse_lines_that_start_like_talk_are_kept():
    # 诗人 / 以上 open commentary only when the sentence is not verse-shaped.
    got = extract_poem("诗人安在哉，明月照空台。以上青山去，江流日夜来。")
    assert len(got.lines) == 4 and not got.removed


def test_refusal_has_no_poem():
    got = extract_poem("作为一个AI，我无法写诗。")
    assert got.lines == [] and got.removed["preamble"]


def test_opencc_round_trip():
    assert to_simplified("國破山河在，城春草木深") == "国破山河在，城春草木深"


def test_verse_lines_drop_symbols_and_emoji_but_not_the_stand_ins_for_characters():
    from poetbench.text.lines import is_symbol, verse_lines

    scotland = "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F"  # a flag of tag characters
    assert verse_lines(f"床前👍🏽明月光{scotland}，疑是地上霜～。举头望明月→$，低头思故乡#️⃣") == [
        "床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"]
    assert verse_lines("床前□月光，疑○地上●，〓头⿰⻊月") == ["床前□月光", "疑○地上●", "〓头⿰⻊月"]  # each stands for a character
    assert [is_symbol(c) for c in "🌞♪★¥+\ufe0f山A1□"] == [True] * 6 + [False] * 4
    assert split_lines("白日依山尽🌞") == ["白日依山尽🌞"]  # split_lines itself (the corpus's reader) is unchanged
