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

# Words whose classical reading differs from the modern one pypinyin gives (不胜 bùshēng "cannot
# bear", not bùshèng "win"; 乡思 xiāngsì, the noun). The 平水韵 book reads them first; one code
# per character: P 平, Z 仄, A leave to the character's own table.
CLASSICAL_WORDS = {
    "不胜": "ZP", "不勝": "ZP", "那堪": "AP",
    "乡思": "PZ", "鄉思": "PZ", "愁思": "PZ", "秋思": "PZ", "归思": "PZ", "歸思": "PZ",
    "旅思": "ZZ", "离思": "PZ", "離思": "PZ", "情思": "PZ", "幽思": "PZ", "客思": "ZZ",
}
