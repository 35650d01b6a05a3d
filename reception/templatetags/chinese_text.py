"""Lists and asides written as the reader's language writes them: "车辆接送、参观讲解" and
"孙立群（采购副总裁）" in Chinese, "Car pick-up, Guided tour" and "Sun Liqun (VP)" in English.
The separator and the brackets are messages of the catalogue, so each language says its own."""

from collections.abc import Iterable

from django import template
from django.utils.translation import pgettext

register = template.Library()


@register.filter
def listing(items: Iterable | None) -> str:
    """The items joined by the language's list separator (Chinese: the enumeration comma)."""
    return pgettext("between the items of a list", ", ").join(str(i) for i in items or ())


@register.filter
def aside(text) -> str:
    """The text in the language's brackets, with the space English puts before them."""
    if text in (None, ""):
        return ""
    return pgettext("a remark in brackets after a name", " (%(text)s)") % {"text": text}


@register.simple_tag
def colon() -> str:
    """What follows a label: "：" in Chinese, ": " in English.

    {% translate "Host" %}{% colon %}{{ host }}"""
    return pgettext("after a label, before its value", ": ")


@register.simple_tag
def separator() -> str:
    """Between the items of a list written out in a loop (see listing)."""
    return pgettext("between the items of a list", ", ")
