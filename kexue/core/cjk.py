"""The CJK character ranges, one place: each a regular-expression class body (Python's
``re``; JavaScript's with the ``u`` flag: the search page gets them through
kexue.search.index.CONTRACT).  What each user means is composed here, by name."""

from __future__ import annotations

IDEOGRAPHIC_ZERO = "\u3007"  # 〇
HAN_EXT_A = "\u3400-\u4dbf"
HAN_UNIFIED = "\u4e00-\u9fff"
#: Extension A through the Unified Ideographs as one range (the Yijing hexagram symbols
#: between them included): the BMP Han of Chinese prose, for rough tests.
HAN_BMP = "\u3400-\u9fff"
HAN_COMPAT = "\uf900-\ufaff"
HAN_SUPPLEMENTARY = "\U00020000-\U0003134f"  # Extensions B to H
KANA = "\u3040-\u30ff"
HANGUL = "\uac00-\ud7af"
CJK_PUNCT = "\u3000-\u303f"  # CJK symbols and punctuation (、。「」…)
FULLWIDTH = "\uff00-\uffef"  # half- and full-width forms (，：！…)

#: Han characters, every block: the search sets each apart as one word.
HAN = IDEOGRAPHIC_ZERO + HAN_EXT_A + HAN_UNIFIED + HAN_COMPAT + HAN_SUPPLEMENTARY
#: Characters read one at a time (reading time counts them, not words).
READ_AS_CHARACTERS = HAN_EXT_A + HAN_UNIFIED + HAN_COMPAT + KANA + HANGUL
#: What makes TeX between dollars Chinese prose, not a formula (kexue.math.tex).
PROSE = CJK_PUNCT + HAN_BMP + FULLWIDTH
