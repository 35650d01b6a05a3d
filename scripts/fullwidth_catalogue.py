"""Chinese translations use full-width punctuation: ，；：？！（） instead of , ; : ? ! ( ) where
the mark touches Chinese ("张伟,您好" → "张伟，您好"; "角色: 营业员" → "角色：营业员").

    python scripts/fullwidth_catalogue.py           # fix locale/zh_Hans/LC_MESSAGES/django.po
    python scripts/fullwidth_catalogue.py --check   # exit 1 and list what it would change

Run by `make messages` after makemessages; safe to run again and again (a fixed catalogue is
left as it is). Only msgstr lines change, and each keeps its line breaks, so the file's diff
shows just the marks. Left alone: placeholders (%(name)s, %s, {client}), URLs, HTML tags and
entities, `code`, and marks between non-Chinese text (09:00, 1,000, "off, work").

A mark "touches" Chinese when the nearest character on either side that is not a space is a
Chinese character or a Chinese quotation mark (“”), or when it stands between placeholders
("%(client)s,%(arrival)s 到访", "取消 %(ref)s?"); a pair of brackets becomes full-width when
either bracket touches Chinese or Chinese stands between them. Spaces next to a mark made
full-width go (the full-width mark carries its own space). The test over the catalogue
(tests/test_catalogue_punctuation.py) checks the same rule independently.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = sorted((ROOT / "locale").glob("zh*/LC_MESSAGES/django.po"))

FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
CHINESE = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”]")
PROTECTED = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]"  # %(name)s, %(n)d, %(x).1f
    r"|%[-#0 +]*\d*(?:\.\d+)?[sdifr%]"  # %s, %d
    r"|\{[^{}\s]*\}"  # {client}
    r"|https?://[^\s\"“”<>]*"  # URLs
    r"|<[^<>]*>"  # HTML tags
    r"|&[#a-zA-Z0-9]+;"  # entities
    r"|`[^`]*`"  # code
    r"|\\[\\\"ntr]"  # escapes of the .po file (\n, \")
)


def _neighbour(chars: list[str], index: int, step: int, protected: list[bool]) -> str:
    """What stands next to `index` in direction `step`, spaces skipped: "chinese", "end" (of
    the text), "placeholder" (or another protected span), or "other"."""
    i = index + step
    while 0 <= i < len(chars) and chars[i] == " ":
        i += step
    if not 0 <= i < len(chars):
        return "end"
    if protected[i]:
        return "placeholder"
    return "chinese" if CHINESE.match(chars[i]) else "other"


def _touches(left: str, right: str) -> bool:
    """A mark touches Chinese if either side is Chinese, or if it stands between placeholders
    (or a placeholder and the text's end) in a Chinese text: "%(client)s,%(arrival)s 到访",
    "取消 %(ref)s?"."""
    if "chinese" in (left, right):
        return True
    sides = {left, right}
    return sides <= {"placeholder", "end"} and sides != {"end"}


def fullwidth(pieces: list[str]) -> list[str]:
    """The pieces of one msgstr (its quoted lines, as escaped in the file) with the marks that
    touch Chinese made full-width. Works on the joined text so that a mark at the end of one
    line sees the next; each character goes back to the line it came from. Repeated until
    nothing changes: a full-width mark is Chinese to its neighbours ("(注明):" → "（注明）：")."""
    while True:
        fixed = _fullwidth_once(pieces)
        if fixed == pieces:
            return fixed
        pieces = fixed


def _fullwidth_once(pieces: list[str]) -> list[str]:
    chars, origin = [], []
    for n, piece in enumerate(pieces):
        chars.extend(piece)
        origin.extend([n] * len(piece))
    text = "".join(chars)
    protected = [False] * len(chars)
    for match in PROTECTED.finditer(text):
        for i in range(match.start(), match.end()):
            protected[i] = True

    def touches(i: int) -> bool:
        return _touches(_neighbour(chars, i, -1, protected), _neighbour(chars, i, 1, protected))

    convert = set()
    for i, char in enumerate(chars):
        if char in ",;:?!" and not protected[i] and touches(i):
            convert.add(i)
    # Brackets in pairs: full-width together, or not at all.
    stack, pairs = [], []
    for i, char in enumerate(chars):
        if protected[i]:
            continue
        if char == "(":
            stack.append(i)
        elif char == ")":
            if stack:
                pairs.append((stack.pop(), i))
            elif touches(i):
                convert.add(i)
    for i in stack:  # unmatched
        if touches(i):
            convert.add(i)
    for start, end in pairs:
        if touches(start) or touches(end) or CHINESE.search(text[start + 1 : end]):
            convert.update((start, end))
    if not convert:
        return pieces

    drop = set()
    for i in convert:
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(chars) and chars[j] == " " and not protected[j]:
                drop.add(j)
                j += step
    out = [""] * len(pieces)
    for i, char in enumerate(chars):
        if i in drop:
            continue
        out[origin[i]] += FULL[char] if i in convert else char
    return out


QUOTED = re.compile(r'^(?P<head>(?:msgstr(?:\[\d+\])?\s+)?)"(?P<body>.*)"\s*$')


def fix_text(source: str) -> tuple[str, list[str]]:
    """The catalogue with its msgstr lines fixed, and the msgstr texts that changed."""
    lines = source.split("\n")
    out, changed = [], []
    i = 0
    entries = 0  # the first entry, msgid "" alone, holds the catalogue's metadata
    header = False
    while i < len(lines):
        line = lines[i]
        if not line.startswith("msgstr"):
            if line.startswith("msgid "):
                entries += 1
                header = entries == 1 and line == 'msgid ""' and lines[i + 1].startswith("msgstr")
            out.append(line)
            i += 1
            continue
        block = [line]
        i += 1
        while i < len(lines) and lines[i].startswith('"'):
            block.append(lines[i])
            i += 1
        if header:
            out.extend(block)
            continue
        matches = [QUOTED.match(b) for b in block]
        if not all(matches):
            out.extend(block)
            continue
        pieces = [m["body"] for m in matches]
        fixed = fullwidth(pieces)
        if fixed != pieces:
            changed.append("".join(fixed))
        out.extend(f'{m["head"]}"{body}"' for m, body in zip(matches, fixed, strict=True))
    return "\n".join(out), changed


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or CATALOGUES
    needed = 0
    for path in paths:
        source = path.read_text(encoding="utf-8")
        fixed, changed = fix_text(source)
        needed += len(changed)
        if check:
            for text in changed:
                print(f"{path}: would become {text}")
        elif changed:
            path.write_text(fixed, encoding="utf-8")
        verb = "need" if check else "got"
        print(f"{path}: {len(changed)} messages {verb} full-width punctuation")
    return 1 if check and needed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
