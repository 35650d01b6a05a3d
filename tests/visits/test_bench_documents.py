"""`make bench`'s command: it times both documents and leaves the database as it was."""

from io import StringIO

import pytest
from django.core.management import call_command

from reception.models import Client, User
from visits.models import VisitRequest

pytestmark = pytest.mark.django_db


def test_the_benchmark_times_both_documents_and_rolls_everything_back(four_tier):
    before = (VisitRequest.objects.count(), User.objects.count(), Client.objects.count())
    out = StringIO()
    call_command("bench_documents", "--repeat", "1", stdout=out)
    report = out.getvalue()
    assert "10 visitors, 30 preparation tasks" in report
    for document in ("visitor information", "application form"):
        for language in ("zh-hans", "en"):
            assert f"{document} ({language})" in report
    assert "rolled back" in report
    after = (VisitRequest.objects.count(), User.objects.count(), Client.objects.count())
    assert after == before
