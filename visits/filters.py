import django_filters
from django.utils.translation import gettext_lazy as _

from approvals.filters import QueueFilter
from reception.filters import LateOnlyFilter, applies_grade, arrival_range, grade_queryset
from reception.models import Client, ClientCategory, Site
from reception.organisation.selectors import account_owner_candidates, search_clients

from .forms.widgets import SearchedSelect
from .models import VisitStatus


class SiteChoiceMixin:
    """A `site` filter offered only where the group has several sites (one query for the
    sites, which are also its choices); `several_sites` says which."""

    filters: dict

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sites = list(Site.objects.all())
        self.several_sites = len(sites) > 1
        if self.several_sites:
            site = self.filters["site"]
            site.extra["choices"] = [(s.code, s.label) for s in sites]
            # a form field built earlier (django-filter keeps it on the filter, and copies it
            # from the class's filter) would offer the choices of then, not these
            site.__dict__.pop("_field", None)
        else:
            del self.filters["site"]


class VisitFilter(SiteChoiceMixin, django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=VisitStatus.choices, empty_label=_("Any status")
    )
    grade = django_filters.ModelChoiceFilter(
        label=_("Grade"), queryset=grade_queryset, method="filter_grade", empty_label=_("Any grade")
    )
    arrival_from, arrival_to = arrival_range("arrival_at")
    # A text field: a <select> of every client grows with the company (5,000 options).
    client = django_filters.CharFilter(label=_("Client"), method="filter_client")
    # The people who file requests, from their roles (not from every request in history),
    # searched on the server: the page holds only the chosen one (a company has hundreds).
    applicant = django_filters.ModelChoiceFilter(
        label=_("Applicant"),
        queryset=lambda request: account_owner_candidates(),
        empty_label=_("Anyone"),
        widget=SearchedSelect("visits:staff_options", params={"applicants": "1"}),
    )
    late = LateOnlyFilter(field_name="late")
    # Offered (and its column in the exports shown) only where the group has several sites.
    site = django_filters.ChoiceFilter(
        label=_("Site"), field_name="site__code", empty_label=_("All sites")
    )

    def filter_grade(self, queryset, name, value):
        return queryset.filter(applies_grade("", value)) if value else queryset

    def filter_client(self, queryset, name, value):
        if not value.strip():
            return queryset
        return queryset.filter(client__in=search_clients(Client.objects.all(), value).values("pk"))


class ApprovalQueueFilter(SiteChoiceMixin, QueueFilter):
    """The approval queue's filters, on the visit each step approves (approvals.cards). An
    approver deciding for several sites may narrow the queue to one."""

    grade = django_filters.ModelChoiceFilter(
        label=_("Grade"), queryset=grade_queryset, method="filter_grade", empty_label=_("Any grade")
    )
    category = django_filters.ChoiceFilter(
        label=_("Client category"),
        field_name="subject__client__category",
        choices=ClientCategory.choices,
        empty_label=_("All categories"),
    )
    arrival_from, arrival_to = arrival_range("subject__arrival_at")
    late = LateOnlyFilter(field_name="subject__late")
    site = django_filters.ChoiceFilter(
        label=_("Site"), field_name="subject__site__code", empty_label=_("All sites")
    )

    def filter_grade(self, queryset, name, value):
        return queryset.filter(applies_grade("subject__", value)) if value else queryset
