"""Idempotent loading of policy data: create what is missing, update what differs, report."""

from dataclasses import dataclass, field

from django.db import models


@dataclass
class LoadReport:
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {"created": 0, "updated": 0})
    _seen: set = field(default_factory=set)

    def record(self, status: str, obj: models.Model) -> None:
        key = (obj._meta.label, obj.pk)
        if key in self._seen:  # created or updated already in this run: one line each
            return
        self._seen.add(key)
        self.counts[status] += 1
        self.lines.append(f"{status} {obj._meta.verbose_name}: {obj}")

    @property
    def changed(self) -> bool:
        return any(self.counts.values())


def upsert(
    model: type[models.Model], lookup: dict, values: dict, report: LoadReport
) -> models.Model:
    """Create `model(**lookup, **values)` or bring an existing row's `values` up to date."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model.objects.create(**lookup, **values)
        report.record("created", obj)
        return obj
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=changed)
        report.record("updated", obj)
    return obj


def set_m2m(obj: models.Model, name: str, targets, report: LoadReport) -> None:
    manager = getattr(obj, name)
    wanted = {t.pk for t in targets}
    if set(manager.values_list("pk", flat=True)) != wanted:
        manager.set(targets)
        report.record("updated", obj)
