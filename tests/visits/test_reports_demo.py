"""The demo gives every report figure data, and loading it twice adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from visits.models import PrepTask, VisitRequest, WalkIn
from visits.reports import Period, all_tables, chart

pytestmark = pytest.mark.django_db


def run_demo():
    with override_settings(DEBUG=True):
        call_command("demo", stdout=StringIO())


def test_every_report_but_spending_has_a_chart_on_the_demo_data(four_tier):
    run_demo()
    empty = [t.key for t in all_tables(Period.default()) if chart(t) is None]
    assert set(empty) <= {"spending-by-grade", "spending-by-category"}


def test_the_demo_history_is_loaded_once(four_tier):
    run_demo()
    counts = [m.objects.count() for m in (VisitRequest, PrepTask, WalkIn)]
    run_demo()
    assert [m.objects.count() for m in (VisitRequest, PrepTask, WalkIn)] == counts
