"""Layers one way for data too: approvals names nothing of the app above it.

import-linter keeps approvals from importing visits; it cannot see strings. Approvals knows what
it approves (its subject) by settings.APPROVALS_SUBJECT_MODEL and reads it through
approvals.subject.Subject; these tests fail on any string in approvals' code, migrations or
templates that names the visit app's data: an ORM path through the visit, a model label, a URL
name, a permission codename, a template or a template tag library of visits.
(tests/test_layers_strings.py does the same for reception.)
"""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from approvals import cards
from approvals.models import ApprovalStep
from approvals.subject import Subject, get_subject_model
from tests.factories import file_visit

ROOT = Path(__file__).resolve().parent.parent

# (what it names, pattern)
UPWARD = [
    ("an ORM path through the visit", re.compile(r"\bvisit__\w")),
    ("the visit attribute of a step", re.compile(r"\.visit\b")),
    ("the visit's id", re.compile(r"\bvisit_id\b")),
    ("a field named visit", re.compile(r"""["']visit["']""")),
    ("a model label or permission of visits", re.compile(r"\bvisits\.[A-Za-z_]")),
    ("a URL name of visits", re.compile(r"\bvisits:")),
    ("a template of visits", re.compile(r"\bvisits/")),
    ("visits' template tags", re.compile(r"\bvisits_tags\b")),
    ("an import of visits", re.compile(r"^\s*(from|import)\s+visits\b", re.MULTILINE)),
]


def subject_fields() -> set[str]:
    """The subject model's own data (fields, their columns, reverse relations): approvals
    reads none of it, only the Subject interface (properties and methods)."""
    names = set()
    for field in get_subject_model()._meta.get_fields():
        names.add(field.name)
        names.add(getattr(field, "attname", field.name))
        if field.auto_created and not field.concrete:
            names.add(field.get_accessor_name() or field.name)
    return names - {"id", "pk"}


def past_the_interface(text: str) -> list[tuple[int, str, str]]:
    """(line, what, the line) for each read of a subject's field: `subject.<field>`,
    `subject__<field>`."""
    found = []
    for match in re.finditer(r"\bsubject(?:\.|__)(\w+)", text):
        if match.group(1) in subject_fields():
            line = text.count("\n", 0, match.start()) + 1
            what = f"the subject's field {match.group(1)!r}"
            found.append((line, what, text.splitlines()[line - 1].strip()))
    return found


def approvals_files() -> list[Path]:
    code = sorted((ROOT / "approvals").rglob("*.py"))
    templates = sorted(p for p in (ROOT / "templates" / "approvals").rglob("*") if p.is_file())
    return code + templates


def upward_references(text: str) -> list[tuple[int, str, str]]:
    """(line, what, the line) for each upward reference in the text."""
    found = []
    for what, pattern in UPWARD:
        for match in pattern.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((line, what, text.splitlines()[line - 1].strip()))
    return found


def test_the_scan_covers_approvals_code_migrations_and_templates():
    names = {p.relative_to(ROOT).as_posix() for p in approvals_files()}
    assert {
        "approvals/services.py",
        "approvals/selectors.py",
        "approvals/views.py",
        "approvals/migrations/0001_initial.py",
        "templates/approvals/queue.html",
        "templates/approvals/_step_card.html",
    } <= names


def test_approvals_names_nothing_of_visits():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}: {source}"
        for path in approvals_files()
        for line, what, source in upward_references(path.read_text(encoding="utf-8"))
    ]
    assert not found, "approvals names the app above it:\n" + "\n".join(found)


def test_approvals_reads_its_subject_only_through_the_interface():
    found = [
        f"{path.relative_to(ROOT)}:{line}: {what}: {source}"
        for path in approvals_files()
        for line, what, source in past_the_interface(path.read_text(encoding="utf-8"))
    ]
    assert not found, "approvals reads its subject past approvals.subject.Subject:\n" + (
        "\n".join(found)
    )


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("step.subject.reference", True),
        ("{{ subject.applicant }}", True),
        ("queryset.exclude(subject__applicant=user)", True),
        ("F('subject__arrival_at')", True),
        ("step.subject.requested_by_id", False),
        ("{{ subject.short_name }}", False),
        ("step.subject.grade", False),
        ("queryset.exclude(subject__in=requested_by(user.pk))", False),
        ("ApprovalStep.objects.filter(subject_id=pk)", False),
    ],
)
def test_the_interface_check_tells_a_field_from_the_interface(text, found):
    assert bool(past_the_interface(text)) is found


@pytest.mark.parametrize(
    "text",
    [
        "steps.filter(visit__applicant=user)",
        "F('visit__arrival_at')",
        "step.visit.reference",
        "{{ step.visit }}",
        "ApprovalStep.objects.filter(visit_id=pk)",
        'select_related("visit")',
        'models.ForeignKey("visits.VisitRequest", on_delete=models.CASCADE)',
        "to='visits.visitrequest'",
        'user.has_perm("visits.check_in")',
        "{% url 'visits:detail' visit.pk %}",
        'reverse("visits:board")',
        '{% include "visits/_late_badge.html" %}',
        "{% load i18n visits_tags %}",
        "from visits.models import VisitRequest",
    ],
)
def test_the_scan_finds_an_upward_reference(text):
    assert upward_references(text)


@pytest.mark.parametrize(
    "text",
    [
        "steps.exclude(subject__applicant=user)",
        "step.subject.reference",
        "ApprovalStep.objects.filter(subject_id=pk)",
        "to=settings.APPROVALS_SUBJECT_MODEL",
        "if step.grades_visit:",
        "{% url 'approvals:queue' %}",
        "the visit's grade",
    ],
)
def test_the_scan_lets_the_subject_interface_through(text):
    assert not upward_references(text)


def test_approvals_points_at_its_subject_by_setting():
    field = ApprovalStep._meta.get_field("subject")
    assert settings.APPROVALS_SUBJECT_MODEL == "visits.VisitRequest"
    assert field.related_model is apps.get_model(settings.APPROVALS_SUBJECT_MODEL)
    assert get_subject_model() is field.related_model


@pytest.mark.django_db
def test_the_subject_model_offers_what_approvals_reads(four_tier, sales, staff):
    visit = file_visit(sales, four_tier["guest"])
    assert isinstance(visit, Subject)
    assert visit.requested_by == sales and visit.requested_by_id == sales.pk
    assert visit.grade == four_tier["guest"]
    assert visit.short_name == visit.reference and visit.short_name in str(visit)
    model = get_subject_model()
    assert list(model.requested_by_person(sales.pk)) == [visit]
    assert not model.requested_by_person(staff.marketing.pk).exists()
    step = visit.approval_steps.get(position=1)
    assert step.subject == visit


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_without_a_subject_app_the_queue_shows_the_subject_s_reference(
    four_tier, sales, staff, login, monkeypatch, language
):
    """The engine stands alone: with no SubjectScreens registered its pages show what the
    Subject interface offers (reference, name, applicant), unfiltered."""
    visit = file_visit(sales, four_tier["guest"])
    monkeypatch.setattr(cards, "_registered", [])
    browser = login(staff.marketing)
    browser.cookies.load({settings.LANGUAGE_COOKIE_NAME: language})
    response = browser.get(reverse("approvals:queue"))
    assert response.status_code == 200
    page = response.content.decode()
    assert visit.reference in page and str(sales) in page
    assert f'href="{reverse("visits:detail", args=[visit.pk])}"' not in page
    assert [s.subject_id for s in response.context["object_list"]] == [visit.pk]
    assert not response.context["filter"].filters


@pytest.mark.django_db
def test_the_visit_app_shows_the_visit_on_the_queue(four_tier, sales, staff, login):
    visit = file_visit(sales, four_tier["guest"])
    page = login(staff.marketing).get(reverse("approvals:queue")).content.decode()
    assert f'href="{reverse("visits:detail", args=[visit.pk])}"' in page
    assert visit.client.label in page
