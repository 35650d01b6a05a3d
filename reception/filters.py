import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Client, ClientCategory, ReceptionGrade
from .organisation.selectors import account_owner_candidates, search_clients
from .validators import date_window_validator

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
            label=_("Arriving from"),
            field_name=field_name,
            lookup_expr="date__gte",
            widget=DATE,
            validators=[date_window_validator],
        ),
        django_filters.DateFilter(
            label=_("Arriving until"),
            field_name=field_name,
            lookup_expr="date__lte",
            widget=DATE,
            validators=[date_window_validator],
        ),
    )


class ClientFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Name or contact"), method="filter_q")
    category = django_filters.ChoiceFilter(
        label=_("Category"), choices=ClientCategory.choices, empty_label=_("All categories")
    )
    account_owner = django_filters.ModelChoiceFilter(
        label=_("Account owner"),
        queryset=lambda request: account_owner_candidates(),
        empty_label=_("Anyone"),
    )

    class Meta:
        model = Client
        fields = ["q", "category", "account_owner"]

    def filter_q(self, queryset, name, value):
        return search_clients(queryset, value)
