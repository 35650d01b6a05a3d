"""One valid-looking change to a rendered form, as a person would make it: tick or untick a
box, choose another option, type into a text field, move a date by a day."""

from __future__ import annotations

import copy
import random
from datetime import date, datetime, timedelta

from .html_forms import Form

TYPED = {
    "email": "walkthrough@example.com",
    "tel": "13900001234",
    "url": "https://example.com/",
    "number": "1",
    "time": "10:30",
}


def _next_value(kind: str, value: str) -> str:
    if kind == "date":
        try:
            return (date.fromisoformat(value) + timedelta(days=1)).isoformat()
        except ValueError:
            return (date.today() + timedelta(days=1)).isoformat()
    if kind == "datetime-local":
        try:
            moment = datetime.fromisoformat(value) + timedelta(days=1)
        except ValueError:
            moment = datetime.combine(date.today() + timedelta(days=1), datetime.min.time())
            moment = moment.replace(hour=10)
        return moment.strftime("%Y-%m-%dT%H:%M")
    if kind == "number":
        try:
            return str(int(float(value)) + 1)
        except ValueError:
            return "1"
    if kind in TYPED:
        return TYPED[kind]
    return f"{value} 测试".strip() if value else "测试 1"


def one_change(form: Form, rng: random.Random) -> tuple[Form, str] | None:
    """A copy of the form with one editable field changed, and what was changed; None when
    nothing in it can change."""
    changed = copy.deepcopy(form)
    candidates = changed.editable()
    rng.shuffle(candidates)
    for f in candidates:
        if f.kind == "checkbox":
            f.checked = not f.checked
            return changed, f"{f.name}: {'ticked' if f.checked else 'unticked'}"
        if f.kind == "radio":
            if f.checked:
                continue
            for other in changed.fields:
                if other.name == f.name and other.kind == "radio":
                    other.checked = other is f
            return changed, f"{f.name}={f.value}"
        if f.kind == "select":
            others = [o for o in f.options if o and o not in f.selected]
            if not others:
                continue
            choice = rng.choice(others)
            f.selected = [*f.selected, choice] if f.multiple else [choice]
            return changed, f"{f.name}={choice}"
        f.value = _next_value(f.kind, f.value)
        return changed, f"{f.name}={f.value!r}"
    return None
