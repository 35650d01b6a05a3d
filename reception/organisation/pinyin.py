"""Pinyin search keys: people are found by 张伟, "zhangwei" or "zw" (pypinyin, offline)."""

from itertools import islice, product

from pypinyin import Style, lazy_pinyin, pinyin

# A name with several characters of several readings (单, 曾, 王…) has many spellings; a
# handful covers the usual ones and keeps the key short.
SPELLINGS = 6
KEY_LENGTH = 255


def _spellings(text: str, style) -> list[str]:
    readings = [r[:3] for r in pinyin(text, style=style, heteronym=True, errors="default")]
    spelled = {"".join(parts) for parts in islice(product(*readings), SPELLINGS)}
    return sorted(normalise(s) for s in spelled)


def pinyin_key(text: str) -> str:
    """'张伟' → 'zhangwei zw': every full spelling (no tones, no spaces), then every string of
    initials, lowercase and space separated. Text that is not Chinese is kept as it is."""
    text = (text or "").strip()
    if not text:
        return ""
    words = dict.fromkeys([*_spellings(text, Style.NORMAL), *_spellings(text, Style.FIRST_LETTER)])
    return " ".join(w for w in words if w)[:KEY_LENGTH]


def full_pinyin(text: str) -> str:
    """'营销部' → 'yingxiaobu': the usual reading, no initials (a department or a role is
    matched by its whole spelling; initials would match half the company)."""
    return normalise("".join(lazy_pinyin(text or "")))


def normalise(query: str) -> str:
    """What is compared with a key: lowercase, without spaces ("Zhang Wei" → "zhangwei")."""
    return "".join((query or "").split()).lower()
