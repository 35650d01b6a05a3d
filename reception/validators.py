"""What a typed text or date may contain, for every form of the project.

- Single-line fields (names, titles, places, companies…) refuse control characters (a line
  break included), bidirectional overrides and zero-width characters: they break email
  subjects, reverse text on the lobby screen and make look-alike duplicates.
- Multi-line fields (notes, reasons) allow line breaks and tabs but refuse the rest.
- Dates and times stay within a sane window (2000–2100).
- Company names are normalised (NFKC: full-width letters and brackets become ordinary ones;
  whitespace collapsed) and compared by a key that ignores Traditional/Simplified characters,
  case, spacing, punctuation and legal-form suffixes, and by a stem that also ignores
  bracketed parts (a place, a branch).

- Row ids are ASCII digits within a big integer (`parse_id`); numbers keep within their
  model field's limits.

`TextRulesMixin` applies these rules to every field of a form; forms list it first among
their bases.
"""

import contextlib
import functools
import re
import unicodedata
import zoneinfo
from datetime import date, datetime

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)

# Characters that change how text is displayed without being seen: bidirectional marks,
# embeddings, overrides and isolates, zero-width spaces and joiners, the byte-order mark.
INVISIBLE = {
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u200e",  # left-to-right mark
    "\u200f",  # right-to-left mark
    *(chr(c) for c in range(0x202A, 0x202F)),  # LRE, RLE, PDF, LRO, RLO
    "\u2060",  # word joiner
    *(chr(c) for c in range(0x2066, 0x206A)),  # LRI, RLI, FSI, PDI
    "\ufeff",  # zero-width no-break space (BOM)
}
LINE_BREAKS = {"\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c"}
MULTILINE_ALLOWED = {"\n", "\r", "\t"}


def _describe(char: str) -> str:
    return f"U+{ord(char):04X} {unicodedata.name(char, '')}".strip()


def _bad_character(value: str, allowed: set[str]) -> str | None:
    for char in value:
        if char in allowed:
            continue
        if char in INVISIBLE or char in LINE_BREAKS or unicodedata.category(char) == "Cc":
            return char
    return None


@deconstructible
class SingleLineValidator:
    """One line of visible text: no line breaks, control or invisible characters."""

    def __call__(self, value):
        char = _bad_character(str(value), allowed=set())
        if char is None:
            return
        if char in LINE_BREAKS:
            raise ValidationError(
                _("Write this on one line: remove the line break."), code="line_break"
            )
        raise ValidationError(
            _("Remove the invisible or control character (%(char)s) from this field."),
            code="invisible_character",
            params={"char": _describe(char)},
        )

    def __eq__(self, other):
        return isinstance(other, SingleLineValidator)


@deconstructible
class MultiLineValidator:
    """Text with line breaks and tabs, but no other control or invisible characters."""

    def __call__(self, value):
        char = _bad_character(str(value), allowed=MULTILINE_ALLOWED)
        if char is not None:
            raise ValidationError(
                _("Remove the invisible or control character (%(char)s) from this field."),
                code="invisible_character",
                params={"char": _describe(char)},
            )

    def __eq__(self, other):
        return isinstance(other, MultiLineValidator)


single_line = SingleLineValidator()
multi_line = MultiLineValidator()


def in_date_window(value: date | datetime | None) -> bool:
    if value is None:
        return True
    day = value.date() if isinstance(value, datetime) else value
    return EARLIEST <= day <= LATEST


def date_window_validator(value):
    if not in_date_window(value):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s."),
            code="date_out_of_window",
            params={"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
        )


def parse_day(text: str | None) -> date | None:
    """An ISO date from a query parameter, or None when it is not one or out of the window."""
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return None
    return day if in_date_window(day) else None


# ---- row ids and numbers --------------------------------------------------------------------

# Row ids are big integers (DEFAULT_AUTO_FIELD).
MAX_ID = 2**63 - 1
# A page number beyond any list's pages (a million pages of 25): such a page is past the end
# and is never turned into an OFFSET, which at 2**63 overflows the database's integers.
MAX_PAGE = 1_000_000


def parse_id(value) -> int | None:
    """A row id posted or put in a query string: ASCII digits within a big integer; anything
    else is None. str.isdigit() is no test: it accepts "²" (which int() refuses: a 500) and
    "٣" (which int() reads as 3)."""
    text = str(value)
    if text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID:
        return int(text)
    return None


def parse_ids(values) -> list[int]:
    """The values that are row ids (parse_id), in order; the others left out."""
    return [i for i in map(parse_id, values) if i is not None]


def _guard_ids(field: forms.ModelMultipleChoiceField) -> None:
    """Refuse what is no row id before the field asks the database: Django guards `pk = n`
    against numbers past the column's range, not `pk IN (…)`, and SQLite raises OverflowError."""
    if field.queryset is None:
        return
    pk = field.queryset.model._meta.pk
    if field.to_field_name or not isinstance(pk, models.IntegerField):
        return
    check_values = field._check_values  # type: ignore[attr-defined]  # Django's, not stubbed

    def check_ids(values):
        for value in values:
            if parse_id(value) is None:
                raise ValidationError(
                    field.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": value},
                )
        return check_values(values)

    field._check_values = check_ids  # type: ignore[attr-defined]


def _bound_number(field: forms.Field, model_field) -> None:
    """A model field's limits (its validators and its column's range) on the form's field. A
    ModelForm sets what its fields cleaned on the instance before the model checks its own
    limits: 10**19 meals was refused, but the page shown again computed the estimate with it
    (decimal.InvalidOperation, a 500)."""
    for validator in model_field.validators:
        if isinstance(validator, MinValueValidator | MaxValueValidator) and (
            validator not in field.validators
        ):
            field.validators.append(validator)


def _guard_field(field: forms.Field) -> None:
    if isinstance(field, forms.CharField) and not isinstance(
        field, forms.EmailField | forms.URLField
    ):
        multiline = isinstance(field.widget, forms.Textarea)
        rule = multi_line if multiline else single_line
        if rule not in field.validators:
            field.validators.append(rule)
    elif (
        isinstance(field, forms.DateField | forms.DateTimeField)
        and date_window_validator not in field.validators
    ):
        field.validators.append(date_window_validator)
    elif isinstance(field, forms.ModelMultipleChoiceField):
        _guard_ids(field)


class TextRulesMixin:
    """Apply the single-line / multi-line text rules and the date window to every field, the
    model's number limits to a ModelForm's number fields, and refuse what is no row id in a
    multiple choice of rows."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        model = getattr(getattr(self, "_meta", None), "model", None)
        for name, field in self.fields.items():
            _guard_field(field)
            if model is not None and isinstance(field, forms.IntegerField | forms.DecimalField):
                with contextlib.suppress(FieldDoesNotExist):
                    _bound_number(field, model._meta.get_field(name))


# ---- company names --------------------------------------------------------------------------

# Legal-form suffixes that do not tell two companies apart, longest first. An English one
# counts only as a word of its own ("Zinc" does not end in "Inc").
LEGAL_SUFFIXES = (
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "有限公司",
    "co., ltd.",
    "co.,ltd.",
    "co. ltd.",
    "co., ltd",
    "co.,ltd",
    "co ltd",
    "company limited",
    "corporation",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "gmbh",
    "corp.",
    "corp",
    "公司",
)
# Brackets of every kind (after NFKC) read as round ones: （苏州）, 【苏州】, [苏州], 〔苏州〕.
BRACKETS = str.maketrans("[{【〔〖「『〈《", "(((((((((", "") | str.maketrans(
    "]}】〕〗」』〉》", ")))))))))", ""
)
BRACKETED = re.compile(r"\([^()]*\)")


@functools.cache
def _simplified_converter():
    import opencc  # noqa: PLC0415 -- its dictionaries load on first use, not at start-up

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional Chinese characters as Simplified ones (遠航汽車 → 远航汽车)."""
    return _simplified_converter().convert(text) if text else text


def normalize_name(name: str) -> str:
    """NFKC (full-width letters, digits and brackets （） become ordinary ones) and single
    spaces, trimmed."""
    text = unicodedata.normalize("NFKC", name or "")
    text = "".join(ch for ch in text if ch not in INVISIBLE)
    return " ".join(text.split())


def _is_punctuation(char: str) -> bool:
    """Punctuation, spaces, and control or format characters (never part of a key)."""
    return unicodedata.category(char)[0] in "PZC"


def _trim_end(text: str) -> str:
    """Without trailing spaces and punctuation (a full stop, a comma), keeping a bracket."""
    while text and text[-1] != ")" and _is_punctuation(text[-1]):
        text = text[:-1]
    return text


def _without_legal_suffix(text: str) -> str:
    text = _trim_end(text)
    stripped = True
    while stripped:
        stripped = False
        for suffix in LEGAL_SUFFIXES:
            if not text.endswith(suffix) or len(text) == len(suffix):
                continue
            head = text[: -len(suffix)]
            if suffix.isascii() and head[-1].isascii() and head[-1].isalnum():
                continue  # part of a word
            text = _trim_end(head)
            stripped = True
            break
    return text


TRAILING_BRACKETS = re.compile(r"^(.*?)((?:\s*\([^()]*\))*)[\s\W]*$", re.DOTALL)


def _comparable(name: str) -> str:
    """The name in one form: NFKC, Simplified, case-folded, round brackets, no legal suffix
    (also before a bracketed tail: 星河电子有限公司（苏州） reads as 星河电子（苏州））."""
    text = simplified(normalize_name(name)).casefold().translate(BRACKETS)
    match = TRAILING_BRACKETS.match(text)
    assert match is not None  # the pattern matches any text
    head, tail = match.groups()
    return _without_legal_suffix(head) + tail if head else _without_legal_suffix(text)


def _squeezed(text: str) -> str:
    return "".join(ch for ch in text if not _is_punctuation(ch))[:150]


def name_key(name: str) -> str:
    """What two company names that mean the same company have in common: the name with
    full-width letters and brackets made ordinary (NFKC), Traditional characters Simplified,
    case-folded, without a legal-form suffix, spaces or punctuation (a trailing full stop,
    brackets — their content stays, 远航（苏州） and 远航苏州 are one key)."""
    return _squeezed(_comparable(name))


def name_stem(name: str) -> str:
    """The name key without bracketed parts (a place, a branch): 远航汽车（苏州）有限公司 and
    远航汽车有限公司 share a stem but not a key. Possibly the same company, possibly another
    branch: a form asks rather than refuses. Empty when nothing is left outside brackets."""
    text = _comparable(name)
    while True:
        shorter = BRACKETED.sub("", text)
        if shorter == text:
            break
        text = shorter
    return _squeezed(_without_legal_suffix(text))


def one_line(text: str) -> str:
    """The text on one line, for an email subject or a notification title: a line break in
    an email header makes the mail library refuse the whole message."""
    return " ".join("".join(ch for ch in str(text) if ch not in INVISIBLE).split())


def validate_time_zone(value: str) -> None:
    """An IANA time zone name zoneinfo knows, e.g. Asia/Shanghai."""
    if value not in _time_zones():
        raise ValidationError(
            _("“%(value)s” is not a time zone name such as Asia/Shanghai."),
            code="invalid_time_zone",
            params={"value": value},
        )


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
