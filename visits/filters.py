import django_filters
from django.utils.translation import gettext_lazy as _

from reception.filters import LateOnlyFilter, applies_grade, arrival_range, grade_queryset
from reception.models import Client, User

from .models import VisitStatus


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
