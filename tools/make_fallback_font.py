"""Makes assets/fonts/NotoSansCJKjp-Supplement.otf: the glyphs of Noto Sans CJK JP that IPAex Gothic lacks
among the supplementary-plane ideographs (𠮷 and the other Adobe-Japan1 name characters beyond JIS X 0213)
and the compatibility ideographs. The letters fall back to it glyph by glyph. IPAex Gothic already covers
JIS X 0213, so this stays small (about 0.7 MB).

Needs Debian's fonts-noto-cjk and fontTools (pip install fonttools). Run from the repository root:
    python3 tools/make_fallback_font.py
"""
from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

NOTO = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
IPAEX = "assets/fonts/ipaexg.ttf"
OUT = "assets/fonts/NotoSansCJKjp-Supplement.otf"


def wanted(c):
    return 0x20000 <= c <= 0x3FFFF or 0xF900 <= c <= 0xFAFF or 0x2F800 <= c <= 0x2FA1F


ipaex = set(TTFont(IPAEX).getBestCmap())
noto = TTCollection(NOTO).fonts[0]  # Noto Sans CJK JP
unicodes = sorted(c for c in noto.getBestCmap() if c not in ipaex and wanted(c))
options = subset.Options()
options.layout_features = ["vert", "vrt2", "locl"]
options.name_IDs = ["*"]
options.name_languages = ["*"]
options.notdef_outline = True
options.hinting = False
subsetter = subset.Subsetter(options)
subsetter.populate(unicodes=unicodes)
subsetter.subset(noto)
noto.save(OUT)
print(f"{OUT}: {len(unicodes)} characters")
