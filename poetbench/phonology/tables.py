"""Data tables for the rhyme books, kept apart from the logic that uses them."""

# 平水韵: groups whose rhymes may be borrowed by the first line (首句借邻韵). Each tuple is one
# family of neighbouring 平声 groups (邻韵), named as in the rhyme table, Simplified.
PINGSHUI_NEIGHBOURS = (
    ("上平一东", "上平二冬"),
    ("上平三江", "下平七阳"),
    ("上平四支", "上平五微", "上平八齐"),
    ("上平六鱼", "上平七虞"),
    ("上平九佳", "上平十灰"),
    ("上平十一真", "上平十二文", "上平十三元"),
    ("上平十三元", "上平十四寒", "上平十五删", "下平一先"),
    ("下平二萧", "下平三肴", "下平四豪"),
    ("下平八庚", "下平九青", "下平十蒸"),
    ("下平十三覃", "下平十四盐", "下平十五咸"),
)

# 中华新韵 (2005): fourteen rhyme groups, keyed by the pypinyin final (strict finals, ü as v).
# The 支 group holds the apical -i after zh ch sh r z c s; see xinyun.final_group().
XINYUN_GROUPS = {
    "一麻": ("a", "ia", "ua"),
    "二波": ("o", "e", "uo"),
    "三皆": ("ie", "ve", "ê"),
    "四开": ("ai", "uai"),
    "五微": ("ei", "uei"),
    "六豪": ("ao", "iao"),
    "七尤": ("ou", "iou"),
    "八寒": ("an", "ian", "uan", "van"),
    "九文": ("en", "in", "uen", "vn"),
    "十唐": ("ang", "iang", "uang"),
    "十一庚": ("eng", "ing", "ueng", "ong", "iong"),
    "十二齐": ("i", "er", "v"),
    "十三支": ("-i",),
    "十四姑": ("u",),
}
XINYUN_APICAL_INITIALS = ("zh", "ch", "sh", "r", "z", "c", "s")

# Tone-marked vowels in pypinyin's readings -> modern tone number.
TONE_MARKS = {
    **dict.fromkeys("āēīōūǖ", 1), **dict.fromkeys("áéíóúǘḿń", 2),
    **dict.fromkeys("ǎěǐǒǔǚň", 3), **dict.fromkeys("àèìòùǜǹ", 4),
}

# 平水韵 variants: characters the rhyme table lacks, mapped to the form it holds (异体字, same
# reading). Found by counting the 全唐诗 characters missing from the table.
PINGSHUI_VARIANTS = {
    "疎": "疏", "劒": "劍", "劔": "劍", "猨": "猿", "蝯": "猿", "鬬": "鬥", "鬭": "鬥", "堤": "隄",
    "斾": "旆", "蘂": "蕊", "蕋": "蕊", "堦": "階", "臯": "皋", "珮": "佩", "飜": "翻", "髪": "髮",
    "秪": "祇", "秖": "祇", "暎": "映", "稜": "棱", "倏": "儵", "懶": "嬾", "妬": "妒", "隣": "鄰",
    "檝": "楫", "呌": "叫", "珪": "圭", "顇": "悴", "牋": "箋", "巵": "卮", "顦": "憔", "鏁": "鎖",
    "髣": "仿", "髴": "佛", "逈": "迥", "鵶": "鴉", "缾": "瓶", "緜": "綿", "讐": "讎", "盃": "杯",
    "罇": "尊", "樽": "尊", "爐": "罏", "掃": "埽", "簷": "檐", "棹": "櫂", "昂": "卬", "浣": "澣",
    "着": "著", "鑒": "鑑", "煉": "鍊", "坂": "阪",
    # Found at the rhyme positions of 全唐诗 regulated verse that fail rhyme by one character
    # (issue 15; the search is described under PINGSHUI_OVERRIDES).
    "廻": "回", "碁": "棋", "帬": "裙", "燃": "然", "粧": "妝", "懽": "歡", "棃": "梨", "塲": "場",
    "邨": "村", "藂": "叢", "犂": "犁", "鉏": "鋤", "虵": "蛇", "怱": "匆", "悤": "匆",
}

# 平水韵 readings of common characters missing from the table in every form (rhyme groups,
# named as above).
PINGSHUI_SUPPLEMENT = {
    "先": ("下平一先",),  # the file lists 一先 without its own head character
    "啼": ("上平八齐",), "嗁": ("上平八齐",), "沉": ("下平十二侵",),
    "慚": ("下平十三覃",), "慙": ("下平十三覃",),
    "跡": ("入声十一陌",), "迹": ("入声十一陌",), "蹟": ("入声十一陌",),
    "遍": ("去声十七霰",), "徧": ("去声十七霰",), "竈": ("去声二十号",), "灶": ("去声二十号",),
    "澀": ("入声十四缉",), "並": ("上声二十四迥", "去声二十四敬"), "竝": ("上声二十四迥", "去声二十四敬"),
    "塢": ("上声七麌",), "隖": ("上声七麌",), "鉢": ("入声七曷",), "掛": ("去声十卦",),
}

# 平水韵 readings the table lacks for characters it does hold (a second reading) or lacks in
# every form, each with its source: character -> (rhyme groups, source). Found by reading the
# rhyme-position characters of 全唐诗's regulated poems that fail rhyme by one character
# (1,295 poems): a character that keeps landing in one group the table does not give it, where
# a rhyme dictionary lists that reading. Characters from poets' use of neighbouring groups
# (勤 with 真, 宗 with 东) are not readings and are left out.
PINGSHUI_OVERRIDES = {
    "衰": (("上平十灰",), "《集韵》灰韵 仓回切, 等衰 (cuī); 贺知章《回乡偶书》 rhymes it with 回 and 来"),
    "槎": (("下平六麻",), "《广韵》麻韵, 水中浮木 (chá); the table holds only 上声二十一马; 44 poems"),
    "僊": (("下平一先",), "《说文》 僊 = 仙; the table holds only 上声十三阮; 6 poems"),
    "鞞": (("上平八齐",), "《广韵》齐韵, 鞞鼓 = 鼙 (pí); the table holds only 上声四纸; 6 poems"),
    "彊": (("下平七阳",), "《广韵》阳韵, = 强 (qiáng); the table holds only 上声二十二养; 4 poems"),
    "䍦": (("上平四支",), "《广韵》支韵, 接䍦 (a cap, lí); 15 poems"),
    "粗": (("上平七虞",), "《广韵》模韵 (cū), in 平水韵 七虞; 10 poems"),
    "腮": (("上平十灰",), "《广韵》咍韵 (顋, sāi), in 平水韵 十灰; 8 poems"),
    "顋": (("上平十灰",), "《广韵》咍韵 (sāi), in 平水韵 十灰"),
    "隳": (("上平四支",), "《广韵》支韵 (huī); 7 poems"),
    "抄": (("下平三肴",), "《广韵》肴韵 (chāo); 5 poems"),
    "鷥": (("上平四支",), "《广韵》之韵, 鹭鸶 (sī), in 平水韵 四支; 4 poems"),
    "蔥": (("上平一东",), "《广韵》东韵 (cōng); 4 poems"),
    "葱": (("上平一东",), "《广韵》东韵 (cōng), the Simplified form of 蔥"),
}

# Words whose classical reading differs from the modern one pypinyin gives (不胜 bùshēng "cannot
# bear", not bùshèng "win"; 乡思 xiāngsì, the noun). The 平水韵 book reads them first; one code
# per character: P 平, Z 仄, A leave to the character's own table.
CLASSICAL_WORDS = {
    "不胜": "ZP", "不勝": "ZP", "那堪": "AP",
    "乡思": "PZ", "鄉思": "PZ", "愁思": "PZ", "秋思": "PZ", "归思": "PZ", "歸思": "PZ",
    "旅思": "ZZ", "离思": "PZ", "離思": "PZ", "情思": "PZ", "幽思": "PZ", "客思": "ZZ",
}
