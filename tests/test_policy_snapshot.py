"""The four_tier and abc fixtures copy in what load_policy wrote the first time (conftest.py,
load_policy_fast): the copy must be what the command writes, and leave the database as usable
(ids given out after the copied ones)."""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction

from approvals.models import ApprovalChain
from reception.models import Department, ReceptionGrade, ReceptionPolicy
from tests import conftest
from tests.conftest import load_policy_fast
from visits.models import PrepTaskTemplate, ReminderRule

pytestmark = pytest.mark.django_db


def policy_as_data():
    """Everything load_policy sets, by natural keys (ids differ between runs on PostgreSQL)."""
    policy = ReceptionPolicy.get()
    return {
        "scheme in use": policy.scheme.code if policy.scheme else None,
        "grades": sorted(
            (
                g.scheme.code,
                g.code,
                g.name,
                g.standard.meal_per_person,
                g.standard.main_host_role.name if g.standard.main_host_role else None,
                sorted(e.code for e in g.standard.extras.all()),
                g.history.count(),
            )
            for g in ReceptionGrade.objects.all()
        ),
        "chains": sorted(
            (
                c.grade.code,
                [
                    (s.position, s.name, s.role.name if s.role else None)
                    for s in c.steps.order_by("position")
                ],
            )
            for c in ApprovalChain.objects.all()
        ),
        "departments": sorted(Department.objects.values_list("code", "name", "parent__code")),
        "templates": sorted(
            (t.code, t.department.code, sorted(g.code for g in t.grades.all()), t.history.count())
            for t in PrepTaskTemplate.objects.all()
        ),
        "rules": sorted(
            (r.code, r.offset_working_days, sorted(g.name for g in r.recipient_roles.all()))
            for r in ReminderRule.objects.all()
        ),
    }


def every_table():
    """Each table's rows without ids, foreign keys and timestamps (they differ between runs on
    PostgreSQL), so that any other value load_policy sets is compared."""

    def kept(field):
        if field.primary_key or field.is_relation or field.name == "id":  # a history's row id
            return False
        return field.get_internal_type() not in {"DateTimeField", "DateField"} and not (
            field.name.startswith("history_")
        )

    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = [f.attname for f in model._meta.concrete_fields if kept(f)]
        tables[model._meta.db_table] = sorted(
            map(repr, model._base_manager.values_list(*names)) if names else []
        ) + [f"{model._base_manager.count()} rows"]
    return tables


@pytest.mark.parametrize("scheme", ["four-tier", "abc"])
def test_the_copied_policy_is_what_load_policy_writes(scheme):
    with transaction.atomic():
        call_command("load_policy", scheme, stdout=StringIO())
        loaded, loaded_tables = policy_as_data(), every_table()
        transaction.set_rollback(True)
    load_policy_fast(scheme)  # captures on first use, then copies
    with transaction.atomic():
        load_policy_fast(scheme)  # the tables are no longer empty: the command runs
        transaction.set_rollback(True)
    assert policy_as_data() == loaded
    assert every_table() == loaded_tables
    assert loaded["grades"] and loaded["chains"] and loaded["templates"] and loaded["rules"]


def test_after_the_copy_new_rows_get_new_ids(four_tier):
    # The copy is in use: load_policy on an empty policy only inserts rows (if it ever changes
    # rows migrate made, every test runs the command again, and this says so).
    assert "four-tier" in conftest._SNAPSHOTS
    grade = four_tier["routine"]
    copy = ReceptionGrade.objects.create(scheme=grade.scheme, code="extra", name="额外", rank=9)
    assert copy.pk not in {g.pk for g in four_tier.values()}
    out = StringIO()
    call_command("load_policy", "four-tier", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
