"""Texts the system writes, kept as a message key with parameters and rendered in the reader's
language when shown.

`Msg` is a translatable text with parameters; `Lines` several of them, one a line. Both are
rendered later, in a given language (`render`), and both store as JSON (`to_json`), so a row
can keep what the system said rather than the words of one language:

    {"msgid": "Visit %(ref)s approved", "params": {"ref": "JD-2026-0001"}, "text": "…"}

- `msgid` is the source string as written in the code; `context`, `plural` and `count` (the
  parameter that chooses the plural form) or `number` complete it when the code used
  pgettext_lazy or ngettext_lazy.
- Parameters that are data (names, references, amounts) are stored as they are and never
  translated. A lazy translatable string (a TextChoices label) is stored by its msgid, a nested
  Msg as a message; bilingual data (a callable such as `lambda: grade.label`) is evaluated at
  write time in every language of settings.LANGUAGES and stored as {language: text}.
- `text` is the message as rendered when it was written: what a page shows if the stored
  message cannot be rendered any more.

`render_stored(data, fallback=…)` shows a stored message in the active language. A msgid the
catalogue no longer knows (renamed in a later release) still renders: gettext returns the
msgid itself, which is then %-formatted. A malformed message never breaks a page: it is logged
and the stored text shown instead.
"""

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import (
    gettext,
    gettext_lazy,
    ngettext,
    ngettext_lazy,
    npgettext,
    npgettext_lazy,
    pgettext,
    pgettext_lazy,
)

log = logging.getLogger(__name__)


class Msg:
    """A translatable text with parameters, rendered later in the reader's language.

    Msg(_("Visit %(ref)s approved"), ref=visit.reference), or a plural from
    ngettext_lazy(…, "count") with count=…. Parameters may be lazy strings
    (e.g. a status label), Msg themselves, or callables such as `lambda: grade.label` for
    bilingual data, all evaluated in the reader's language.
    """

    def __init__(self, text: Any, **params: object) -> None:  # text: a str or a lazy one
        self.text = text
        self.params = params

    def render(self, language: str | None = None) -> str:
        with translation.override(language):
            params = {k: _value(v, language) for k, v in self.params.items()}
            # Lazy plurals (ngettext_lazy with a named number) choose their form on `%`.
            return str(self.text % params) if params else str(self.text)

    def __str__(self) -> str:
        return self.render(translation.get_language())

    def to_json(self) -> dict:
        try:
            data = _text_json(self.text)
        except TypeError:  # a lazy text with no msgid to keep: the whole message per language
            languages = _every_language(lambda: self.render(translation.get_language()))
            return {
                "msgid": "%(text)s",
                "params": {"text": {"languages": languages}},
                "text": str(self),
            }
        if self.params:
            data["params"] = {k: _encode(v) for k, v in self.params.items()}
        data["text"] = str(self)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "Msg":
        return cls(_text(data), **{k: _decode(v) for k, v in data.get("params", {}).items()})


class Lines:
    """Several Msg, one per line."""

    def __init__(self, items: Iterable[object]) -> None:
        self.items = list(items)

    def render(self, language: str | None = None) -> str:
        return "\n".join(str(_value(item, language)) for item in self.items)

    def __str__(self) -> str:
        return self.render(translation.get_language())

    def to_json(self) -> dict:
        return {"lines": [_encode(item) for item in self.items], "text": str(self)}

    @classmethod
    def from_json(cls, data: dict) -> "Lines":
        return cls(_decode(item) for item in data["lines"])


def from_json(data: dict) -> Msg | Lines:
    """The Msg or Lines stored as `data`."""
    return Lines.from_json(data) if "lines" in data else Msg.from_json(data)


def render_stored(data, *, fallback: str = "", language: str | None = None) -> str:
    """A stored message in `language` (the active one by default), or `fallback` when there is
    none. A message that cannot be rendered is logged and shows the text it had when written."""
    if not data:
        return fallback
    try:
        if language is None or language == translation.get_language():
            return _render(data)
        with translation.override(language):
            return _render(data)
    except Exception:
        log.exception("Cannot render the stored message %r", data)
        text = data.get("text") if isinstance(data, dict) else None
        return text if isinstance(text, str) and text else fallback


def _render(data: dict) -> str:
    """A stored message in the active language, read straight from its JSON (rebuilding Msg
    and lazy texts would cost a page of notifications several milliseconds)."""
    if "lines" in data:
        return "\n".join(str(_render_param(item)) for item in data["lines"])
    params = {k: _render_param(v) for k, v in data.get("params", {}).items()}
    msgid, context, plural = data["msgid"], data.get("context"), data.get("plural")
    if plural is None:
        text = pgettext(context, msgid) if context else gettext(msgid)
    else:
        number = params[data["count"]] if "count" in data else data["number"]
        if context:
            text = npgettext(context, msgid, plural, number)
        else:
            text = ngettext(msgid, plural, number)
    return text % params if params else text


def _render_param(value):
    if not isinstance(value, dict):
        return value  # data, or a number a plural chooses its form by
    if "message" in value:
        return _render(value["message"])
    if "languages" in value:
        return _in_language(value["languages"], translation.get_language())
    raise ValueError(f"Unknown stored parameter {value!r}")


def _value(value, language):
    if isinstance(value, int | float):  # kept a number: plurals choose their form by it
        return value
    if isinstance(value, Msg | Lines):
        return value.render(language)
    if isinstance(value, dict):  # bilingual data, stored per language
        return _in_language(value, language)
    if callable(value):
        return str(value())
    return str(value)


def _in_language(texts: dict, language: str | None) -> str:
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
        if code in texts:
            return texts[code]
    return next(iter(texts.values()), "")


# ---- storing ------------------------------------------------------------------------------

_SINGULAR = {gettext: (), pgettext: ("context",)}
_PLURAL = {ngettext: (), npgettext: ("context",)}


def _text_json(text) -> dict:
    """The msgid (with context and plural forms) of a message's text."""
    if not isinstance(text, Promise):
        return {"msgid": str(text)}
    reduced: Any = text.__reduce__()
    unpickle, args = reduced[:2]
    if unpickle.__name__ == "_lazy_number_unpickle":  # ngettext_lazy(…, "count")
        func, _resultclass, number, kwargs = args
        data = {"msgid": kwargs["singular"], "plural": kwargs["plural"], "count": number}
        if func is npgettext:
            data["context"] = kwargs["context"]
        return data
    func, fargs, fkw = args[0], args[1], args[2]
    if func in _SINGULAR:
        names = (*_SINGULAR[func], "msgid")
        return dict(zip(names, fargs, strict=True))
    if func in _PLURAL:
        names = (*_PLURAL[func], "singular", "plural", "number")
        values = {**dict(zip(names[: len(fargs)], fargs, strict=True)), **fkw}
        data = {"msgid": values["singular"], "plural": values["plural"]}
        data["number"] = values["number"]
        if "context" in values:
            data["context"] = values["context"]
        return data
    raise TypeError(f"Cannot store the lazy text {text!r} by its msgid")


def _text(data: dict):
    """The lazy text a stored msgid stands for, translated when rendered."""
    msgid, context, plural = data["msgid"], data.get("context"), data.get("plural")
    if plural is None:
        return pgettext_lazy(context, msgid) if context else gettext_lazy(msgid)
    number = data.get("count", data.get("number"))
    if context:
        return npgettext_lazy(context, msgid, plural, number)
    return ngettext_lazy(msgid, plural, number)


def _encode(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value  # data: stored as is
    if isinstance(value, Msg | Lines):
        data = value.to_json()
        data.pop("text")  # the outer message keeps the text of the whole
        return {"message": data}
    if isinstance(value, Promise):
        try:
            return {"message": _text_json(value)}
        except TypeError:  # a lazy text of another kind: kept in every language
            return {"languages": _every_language(lambda: str(value))}
    if callable(value):
        return {"languages": _every_language(value)}
    return str(value)  # other data (a Decimal, a date, a person): its text


def _decode(value):
    if not isinstance(value, dict):
        return value
    if "message" in value:
        return from_json(value["message"])
    if "languages" in value:
        return dict(value["languages"])
    raise ValueError(f"Unknown stored parameter {value!r}")


def _every_language(func) -> dict:
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(func())
    return texts
