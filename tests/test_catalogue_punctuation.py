"""The Chinese catalogue reads as Chinese: no ASCII , ; : ? ! ( ) touching a Chinese character
("张伟,您好", "您的角色:营业员。") or standing between placeholders ("%(client)s,%(arrival)s 到访").
`make messages` keeps it so with scripts/fullwidth_catalogue.py; this test checks on its own."""

import re
import runpy
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
FIXER = ROOT / "scripts" / "fullwidth_catalogue.py"

HAN = "\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef“”"
# Placeholders, URLs, tags and entities become one neutral mark, \x00; times and numbers stay.
NEUTRAL = re.compile(
    r"%\([^)]*\)[-#0 +]*\d*(?:\.\d+)?[a-zA-Z]|%[sd]|\{[^{}\s]*\}|https?://\S*|<[^<>]*>|&[#\w]+;"
)
MARK = r"[,;:?!()]"
WRONG = re.compile(
    rf"[{HAN}] *{MARK}|{MARK} *[{HAN}]"  # touching Chinese
    rf"|\x00 *{MARK} *(?:\x00|$)|^ *{MARK} *\x00"  # between placeholders, or one and the end
)


def ascii_marks(text: str) -> list[str]:
    neutral = NEUTRAL.sub("\x00", text)
    return [m.group(0).replace("\x00", "%()s") for m in WRONG.finditer(neutral)]


def translations(po: polib.POFile):
    for entry in po:
        if entry.obsolete:
            continue
        yield from [entry.msgstr] if not entry.msgid_plural else entry.msgstr_plural.values()


def test_the_check_finds_the_marks_the_issue_names():
    for wrong in [
        "%(name)s,您好",
        "您的角色:营业员。",
        "%(client)s,%(arrival)s 到访",
        "取消 %(ref)s?",
        "小型(100人以下)",
        "已安排: 商务车",
    ]:
        assert ascii_marks(wrong), wrong


def test_the_check_leaves_times_numbers_urls_and_english_alone():
    for fine in [
        "每天 09:00 发送",
        "共 1,000 人",
        "地址 https://example.com/a?b=1 已保存",
        "应填“off”（休息日）",
        "%(start)s 至 %(end)s",
        "Excel, CSV",
    ]:
        assert ascii_marks(fine) == [], fine


def test_no_chinese_translation_has_ascii_punctuation_touching_chinese():
    po = polib.pofile(str(PO))
    wrong = {text: ascii_marks(text) for text in translations(po) if ascii_marks(text)}
    assert wrong == {}, "run `python scripts/fullwidth_catalogue.py` (make messages does)"


def test_the_fixer_makes_the_marks_full_width_and_keeps_placeholders(tmp_path):
    fixer = runpy.run_path(str(FIXER))
    po = tmp_path / "django.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Language: zh_Hans\\n"\n\n'
        'msgid "Hello %(name)s"\nmsgstr "%(name)s, 您好"\n\n'
        'msgid "long"\nmsgstr ""\n"读取 %(n)s 人:新建 %(created)s 人,"\n"更新 (共 %(u)s 人)"\n\n'
        'msgid "time"\nmsgstr "每天 09:00 发送,见 https://example.com/a?b=1"\n',
        encoding="utf-8",
    )
    assert fixer["main"]([str(po), "--check"]) == 1
    assert fixer["main"]([str(po)]) == 0
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "%(name)s，您好"' in text
    assert '"读取 %(n)s 人：新建 %(created)s 人，"\n"更新（共 %(u)s 人）"' in text
    assert 'msgstr "每天 09:00 发送，见 https://example.com/a?b=1"' in text
    assert '"Language: zh_Hans\\n"' in text  # the header is left alone
    assert fixer["main"]([str(po), "--check"]) == 0  # a second run changes nothing


def test_make_messages_runs_the_fixer():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nmessages:")[1].split("\n\n")[0]
    assert "scripts/fullwidth_catalogue.py" in recipe
    assert recipe.index("makemessages") < recipe.index("fullwidth_catalogue")
    assert recipe.index("fullwidth_catalogue") < recipe.index("compilemessages")


# The Chinese a company sees that is not in the catalogue: the rulebooks' grades, standards,
# task templates and reminder rules (load_policy writes them into the database) and the demo's
# clients, sites and visits. Their string literals follow the same rule; docstrings and
# English strings are left alone.
DATA = [
    ROOT / "reception" / "rulebooks.py",
    ROOT / "visits" / "rulebooks.py",
    *sorted((ROOT / "demo").glob("*.py")),
]


def chinese_literals(path: Path):
    import ast

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Module)) and ast.get_docstring(
            node, clean=False
        ):
            node.body[0].value.value = ""  # type: ignore[attr-defined]  # docstrings: prose
        is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if is_text and re.search(f"[{HAN}]", node.value):
            yield node.lineno, node.value


def test_the_rulebooks_and_the_demo_write_chinese_with_full_width_punctuation():
    from demo.organisation import CLIENTS

    # A client's name is kept as Client.save normalises it (ASCII brackets: look-alike names
    # compare equal, issue 22), so the demo writes its clients' names that way.
    client_names = {c["name"] for c in CLIENTS}
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {text!r} {ascii_marks(text)}"
        for path in DATA
        for line, text in chinese_literals(path)
        if ascii_marks(text) and text not in client_names
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_data_check_finds_an_ascii_comma_in_a_task_name(tmp_path):
    sample = tmp_path / "rulebook.py"
    sample.write_text('TASKS = [{"name": "与来宾保持联系,确认最新人数"}]\n', encoding="utf-8")
    assert [ascii_marks(text) for _, text in chinese_literals(sample)] == [["系,"]]
