"""A CJK font carried inside the report, so that its Chinese reads on any machine (no tofu boxes).

Rules:

- The font is the machine's own: fontconfig's faces for Chinese (``fc-list :lang=zh``), else the
  faces matplotlib's font manager knows by a CJK name. Regular Sans faces for Simplified Chinese
  come first; a face is used only if its character map holds the page's Han characters.
  ``$POETBENCH_REPORT_FONT`` names a font file instead (``none``: embed nothing).
- Only the characters the page uses go in (every code point above ASCII; Latin is left to the
  reader's system fonts), subset with fontTools and compressed as WOFF2, inside the page as a data
  URI: the report stays one file and loads nothing from outside.
- Without a font (or when subsetting fails), the page shows a banner naming fonts that would help.
"""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from dataclasses import dataclass

FAMILY = "poetbench CJK"
HELPFUL_FONTS = ("Noto Sans CJK SC (Debian and Ubuntu: fonts-noto-cjk), Source Han Sans, "
                 "or WenQuanYi Zen Hei (fonts-wqy-zenhei)")
CJK_NAMES = ("CJK", "Han Sans", "Han Serif", "WenQuanYi", "Hei", "Song", "Kai", "Ming", "PingFang", "YaHei")
PROBE = "诗詩"  # a face must hold these to be considered


@dataclass(frozen=True)
class Embedded:
    family: str
    source: str  # the font file and face it was cut from
    characters: int
    css: str  # the @font-face rule, with the WOFF2 data URI

    @property
    def kilobytes(self) -> int:
        return len(self.css) // 1024


def candidates() -> list[tuple[str, int]]:
    """(font file, face index) of the machine's CJK faces, the most suitable first."""
    chosen = os.environ.get("POETBENCH_REPORT_FONT")
    if chosen:
        return [] if chosen == "none" else [(chosen, 0)]
    return _fontconfig() or _matplotlib()


def _rank(family: str, style: str) -> tuple:
    return ("Regular" not in style and "Book" not in style, "Sans" not in family, "Mono" in family,
            not any(tag in family for tag in ("SC", "CN", "GB")))


def _fontconfig() -> list[tuple[str, int]]:
    if not shutil.which("fc-list"):
        return []
    try:
        listed = subprocess.run(["fc-list", "-f", "%{file}\t%{index}\t%{family}\t%{style}\n", ":lang=zh"],
                                capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    faces = []
    for line in listed.splitlines():
        parts = line.split("\t")
        if len(parts) == 4 and parts[1].isdigit():
            faces.append((_rank(parts[2], parts[3]), parts[0], int(parts[1])))
    return [(path, index) for _, path, index in sorted(faces)]


def _matplotlib() -> list[tuple[str, int]]:
    try:
        from matplotlib import font_manager
    except ImportError:
        return []
    faces = {(entry.fname, _rank(entry.name, entry.style.title())) for entry in font_manager.fontManager.ttflist
             if any(name in entry.name for name in CJK_NAMES)}
    return [(path, 0) for path, _ in sorted(faces, key=lambda face: face[1])]


def embed(text: str) -> Embedded | None:
    """The first usable CJK face, subset to the characters of ``text`` above ASCII, or None."""
    wanted = {ord(ch) for ch in text if ord(ch) > 0x7F}
    if not wanted:
        return None
    from fontTools import subset
    from fontTools.ttLib import TTFont, TTLibError

    for path, index in candidates():
        try:
            font = TTFont(path, fontNumber=index)
            cmap = font.getBestCmap() or {}
            if not all(ord(ch) in cmap for ch in PROBE):
                continue
            options = subset.Options()
            options.hinting = False  # screens at report sizes do not need it
            options.desubroutinize = True  # compresses better under WOFF2
            # Horizontal text in one locale needs no layout or vertical tables: they were half the
            # bytes and most of the time (4,729 characters: 1.7 MB and 45 s with them, 0.8 MB and 18 s without).
            options.layout_features = []
            options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx"]
            options.name_IDs = [1, 2]
            held = wanted & set(cmap)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=held)
            subsetter.subset(font)
            font.flavor = "woff2"
            buffer = io.BytesIO()
            font.save(buffer)
        except (OSError, TTLibError, ImportError, ValueError, KeyError, AssertionError):
            continue  # an unreadable face, or WOFF2 without brotli: try the next, else the banner
        data = base64.b64encode(buffer.getvalue()).decode("ascii")
        css = (f'@font-face {{ font-family: "{FAMILY}"; '
               f'src: url(data:font/woff2;base64,{data}) format("woff2"); }}')
        return Embedded(FAMILY, f"{path}#{index}", len(held), css)
    return None
