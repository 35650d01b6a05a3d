"""Lists, asides and labels written as the reader's language writes them (issue 23, item 8):
the separator, the brackets and the colon are the catalogue's, not ASCII marks in templates."""

from django.template import Context, Template
from django.utils import translation

SAMPLE = (
    "{% load chinese_text %}{{ items|listing }}|{{ name }}{{ title|aside }}|"
    "{{ label }}{% colon %}{{ value }}|{% for i in items %}{{ i }}{% if not forloop.last %}"
    "{% separator %}{% endif %}{% endfor %}|{{ empty|aside }}"
)


def render(language: str) -> str:
    with translation.override(language):
        return Template(SAMPLE).render(
            Context(
                {
                    "items": ["车辆接送", "参观讲解", "<b>"],
                    "name": "孙立群",
                    "title": "采购副总裁",
                    "label": "主陪",
                    "value": "赵敏",
                    "empty": "",
                }
            )
        )


def test_chinese_joins_with_the_enumeration_comma_and_full_width_marks():
    assert render("zh-hans") == (
        "车辆接送、参观讲解、&lt;b&gt;|孙立群（采购副总裁）|主陪：赵敏|"
        "车辆接送、参观讲解、&lt;b&gt;|"
    )


def test_english_keeps_its_own_marks():
    assert render("en") == (
        "车辆接送, 参观讲解, &lt;b&gt;|孙立群 (采购副总裁)|主陪: 赵敏|"
        "车辆接送, 参观讲解, &lt;b&gt;|"
    )


def test_no_template_joins_or_labels_with_ascii_marks():
    """The marks a template writes next to translated text come from the tags above."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "templates"
    wrong = []
    for path in [*root.rglob("*.html"), *root.rglob("*.txt")]:
        text = path.read_text(encoding="utf-8")
        for pattern in (r'\|join:", "', r'\{% translate "[^"]*" %\}: '):
            wrong += [f"{path.relative_to(root)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert wrong == [], "use |listing and {% colon %} (reception/templatetags/chinese_text.py)"
