"""The parts of a kept fragment's key that come from the request rather than from the rows:
rows kept rendered with Django's {% cache %} (the `template_fragments` cache, settings
FRAGMENT_CACHE_SECONDS; docs/performance.md). The template context has the first two as
`fragment_scope` and `fragment_reader` (context_processors.fragments); a view that checks
which rows are kept before reading their facts builds its keys here, the browser's part
(`session`) with them when a fragment holds a form."""

import hashlib

from django.core.cache.utils import make_template_fragment_key
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language


def scope() -> str:
    """The language and time zone a fragment is written in."""
    return f"{get_language()}.{timezone.get_current_timezone_name()}"


def reader(user) -> str:
    """The reader and their access version (raised by every change to their roles,
    departments or delegations): for fragments showing what the reader may do."""
    return f"{user.pk}.{user.access_version}" if user is not None and user.pk else "-"


def session(request) -> str:
    """For fragments holding a form: the browser's CSRF secret, hashed (the token in a kept
    form is one this browser's secret accepts; another browser gets fragments of its own)."""
    get_token(request)  # the secret the page's forms use, made now if the browser has none
    secret = request.META.get("CSRF_COOKIE", "")
    return hashlib.sha256(f"fragment:{secret}".encode()).hexdigest()[:24]


def per_browser(request) -> tuple[str, str, str, str]:
    """The request's parts of the key of a fragment holding a form for its reader: the
    reader (what they may do), this browser (the form's token), the language and time zone,
    and the page's address (the form's `next`)."""
    return reader(request.user), session(request), scope(), request.get_full_path()


def form_choices(form) -> str:
    """A key part for a kept form: what its fields offer beyond the request's own data (the
    query string is another part). Each choice field's options, by value and label; a field
    searched on the server (a widget with `url_name`, visits.forms.widgets) renders only its
    chosen rows, so only those. Hashed; the labels are in the current language."""
    from django.forms import ModelChoiceField

    from .validators import parse_ids

    parts = []
    for name, field in form.fields.items():
        if isinstance(field, ModelChoiceField) and field.queryset is not None:
            rows = field.queryset
            if hasattr(field.widget, "url_name"):
                value = form[name].value()
                chosen = value if isinstance(value, (list, tuple)) else [value]
                ids = parse_ids(chosen) if value not in (None, "") else []
                rows = rows.filter(pk__in=ids) if ids else rows.none()
            parts.append([(obj.pk, str(field.label_from_instance(obj))) for obj in rows])
        elif getattr(field, "choices", None) is not None:
            parts.append([(str(value), str(label)) for value, label in field.choices])
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def key(name: str, *parts) -> tuple[str, str]:
    """(vary_on, cache key) of a fragment `{% cache seconds name vary_on %}`: the parts as one
    string, and the key Django's tag makes of it."""
    vary_on = "|".join(str(part) for part in parts)
    return vary_on, make_template_fragment_key(name, [vary_on])
