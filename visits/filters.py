import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from reception.models import Client, ReceptionGrade, User

from .models import VisitStatus

DATE = forms.DateInput(attrs={"type": "date"})


def grade_queryset(request):
    return ReceptionGrade.objects.current()


def applies_grade(prefix: str, grade) -> Q:
    """The grade that applies: the final one once fixed, the proposed one before."""
    return Q(**{f"{prefix}final_grade": grade}) | Q(
        **{f"{prefix}final_grade__isnull": True, f"{prefix}proposed_grade": grade}
    )


class LateOnlyFilter(django_filters.BooleanFilter):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Late only"))
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return qs.filter(**{self.field_name: True}) if value else qs


def arrival_range(field_name: str):
    return (
        django_filters.DateFilter(
            label=_("Arriving from"), field_name=field_name, lookup_expr="date__gte", widget=DATE
        ),
        django_filters.DateFilter(
            label=_("Arriving until"), field_name=field_name, lookup_expr="date__lte", widget=DATE
        ),
    )


class VisitFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=VisitStatus.choices, empty_label=_("Any status")
    )
    grade = django_filters.ModelChoiceFilter(
        label=_("Grade"), queryset=grade_queryset, method="filter_grade", empty_label=_("Any grade")
    )
    arrival_from, arrival_to = arrival_range("arrival_at")
    client = django_filters.ModelChoiceFilter(
        label=_("Client"), queryset=Client.objects.order_by("name"), empty_label=_("Any client")
    )
    applicant = django_filters.ModelChoiceFilter(
        label=_("Applicant"),
        queryset=User.objects.filter(visit_requests__isnull=False).distinct().order_by("pk"),
        empty_label=_("Anyone"),
    )
    late = LateOnlyFilter(field_name="late")

    def filter_grade(self, queryset, name, value):
        return queryset.filter(applies_grade("", value)) if value else queryset
