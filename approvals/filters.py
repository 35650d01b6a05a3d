import django_filters
from django.utils.translation import gettext_lazy as _

from reception.filters import LateOnlyFilter, applies_grade, arrival_range, grade_queryset
from reception.models import ClientCategory


class QueueFilter(django_filters.FilterSet):
    grade = django_filters.ModelChoiceFilter(
        label=_("Grade"), queryset=grade_queryset, method="filter_grade", empty_label=_("Any grade")
    )
    category = django_filters.ChoiceFilter(
        label=_("Client category"),
        field_name="visit__client__category",
        choices=ClientCategory.choices,
        empty_label=_("All categories"),
    )
    arrival_from, arrival_to = arrival_range("visit__arrival_at")
    late = LateOnlyFilter(field_name="visit__late")

    def filter_grade(self, queryset, name, value):
        return queryset.filter(applies_grade("visit__", value)) if value else queryset
