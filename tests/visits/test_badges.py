"""The badges and the readiness bar are written in Python (visits_tags), for speed: byte for
byte what the included templates they replaced gave, kept here as the reference."""

import pytest
from django.template import engines
from django.utils import translation

from reception.models import ReceptionGrade
from visits.models import VisitRequest, VisitStatus
from visits.templatetags.visits_tags import STATUS_CLASSES

OLD_GRADE_BADGE = (
    '{% load i18n %}{% if grade %}<span class="badge rounded-pill {% if final %}text-bg-w'
    'arning{% else %}text-bg-light border{% endif %}" title="{% if final %}{% translate '
    "'Final grade' %}{% else %}{% translate 'Proposed grade, not yet fixed by marketing' "
    '%}{% endif %}">{{ grade.label }}{% if not final %} ?{% endif %}</span>{% else %}<spa'
    'n class="text-body-secondary">—</span>{% endif %}'
)
OLD_STATUS_BADGE = '<span class="badge {{ css }}">{{ label }}</span>'
OLD_READINESS_BAR = (
    '{% load i18n %}{% if readiness is None %}<span class="small text-body-secondary">{% '
    'translate "no tasks" %}</span>{% else %}\n<div class="d-flex align-items-center gap-'
    '2">\n  <div class="progress flex-grow-1 readiness-progress" role="progressbar" aria-'
    'label="{% translate \'Readiness\' %}" aria-valuenow="{{ readiness }}" aria-valuemin='
    '"0" aria-valuemax="100">\n    <div class="progress-bar {% if readiness == 100 %}bg-s'
    "uccess{% elif overdue %}bg-danger{% elif readiness < 50 %}bg-warning{% endif %} pct-"
    '{{ readiness }}"></div>\n  </div>\n  <span class="small fw-semibold text-nowrap">{{ '
    "readiness }}%</span>\n</div>{% endif %}"
)

GRADE = ReceptionGrade(pk=7, code="a", name="一级 <A>", name_en="Grade <A> & co", rank=1)


def render(source, **context):
    return engines["django"].from_string(source).render(context)


def tag(call, **context):
    return render("{% load visits_tags %}" + call, **context)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    ("proposed", "final"), [(None, None), (GRADE, None), (None, GRADE), (GRADE, GRADE)]
)
def test_the_grade_badge_reads_as_it_did(language, proposed, final):
    visit = VisitRequest(proposed_grade=proposed, final_grade=final)
    with translation.override(language):
        expected = render(OLD_GRADE_BADGE, grade=visit.grade, final=bool(visit.final_grade_id))
        assert tag("{% grade_badge visit %}", visit=visit) == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("status", VisitStatus.values)
def test_the_status_badge_reads_as_it_did(language, status):
    visit = VisitRequest(status=status)
    with translation.override(language):
        expected = render(
            OLD_STATUS_BADGE, label=visit.get_status_display(), css=STATUS_CLASSES.get(status, "")
        )
        assert tag("{% status_badge visit %}", visit=visit) == expected


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize("readiness", [None, 0, 33, 49, 50, 99, 100])
@pytest.mark.parametrize("overdue", [0, 2])
def test_the_readiness_bar_reads_as_it_did(language, readiness, overdue):
    with translation.override(language):
        expected = render(OLD_READINESS_BAR, readiness=readiness, overdue=overdue)
        got = tag("{% readiness_bar readiness overdue %}", readiness=readiness, overdue=overdue)
        assert got == expected
