"""Loading policy data from a rulebook: create what is missing, report, and touch existing rows
only when asked to reset them.

`load_policy` runs with `LoadReport(reset=False)`: rows the company already has (and edited in
the admin) are kept; where they differ from the rulebook the report says so ("kept …"). With
`reset=True` the loaders bring existing rows back to the rulebook and report each field.
"""

from dataclasses import dataclass, field
from typing import TypeVar

from django.db import models


@dataclass
class LoadReport:
    reset: bool = False  # policy loaders: bring existing rows back to the rulebook
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0})
    kept: int = 0  # existing rows that differ from the rulebook, left as they are
    _seen: set = field(default_factory=set)
    _created: set = field(default_factory=set)

    def record(self, status: str, obj: models.Model, detail: str = "") -> None:
        key = (obj._meta.label, obj.pk)
        if status == "created":
            self._created.add(key)
        if key in self._seen:  # created or updated already in this run: one line each
            if detail and status == "updated":
                self.lines.append(f"    {detail}")
            return
        self._seen.add(key)
        self.counts[status] += 1
        self.lines.append(f"{status} {obj._meta.verbose_name}: {obj}")
        if detail:
            self.lines.append(f"    {detail}")

    def keep(self, obj: models.Model, detail: str) -> None:
        """An existing row differs from the rulebook and stays as the company left it."""
        self.kept += 1
        self.lines.append(f"kept {obj._meta.verbose_name}: {obj} ({detail})")

    def created_in_this_run(self, obj: models.Model) -> bool:
        return (obj._meta.label, obj.pk) in self._created

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


M = TypeVar("M", bound=models.Model)


def upsert(model: type[M], lookup: dict, values: dict, report: LoadReport) -> M:
    """Create `model(**lookup, **values)` or bring an existing row's `values` up to date.

    For imports that are meant to overwrite (the calendar); policy uses `load_row`."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.record("created", obj)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.record("updated", obj)
    return obj


def _show(value) -> str:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        return "[" + ", ".join(sorted(str(v) for v in value)) + "]"
    return repr(value) if isinstance(value, str) else str(value)


def _differences(obj: models.Model, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(obj, name) != value]


def load_row(model: type[M], lookup: dict, values: dict, report: LoadReport) -> M:
    """Create the row when it is missing. An existing row is kept as it is, unless the report
    resets: then the fields that differ from the rulebook's `values` are set back."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.record("created", obj)
        return obj
    differing = _differences(obj, values)
    if not differing:
        return obj
    detail = "; ".join(
        f"{name}: {_show(getattr(obj, name))} → {_show(values[name])}" for name in differing
    )
    if report.reset:
        for name in differing:
            setattr(obj, name, values[name])
        obj.save(update_fields=differing)
        report.record("updated", obj, detail)
    else:
        report.keep(obj, detail)
    return obj


def load_m2m(obj: models.Model, name: str, targets, report: LoadReport) -> None:
    """Set a many-to-many field on a row created in this run; on an existing row only when the
    report resets (otherwise a difference is reported and kept)."""
    manager = getattr(obj, name)
    current = list(manager.all())
    if {t.pk for t in current} == {t.pk for t in targets}:
        return
    if report.created_in_this_run(obj):
        manager.set(targets)
        return
    detail = f"{name}: {_show(current)} → {_show(targets)}"
    if report.reset:
        manager.set(targets)
        report.record("updated", obj, detail)
    else:
        report.keep(obj, detail)
