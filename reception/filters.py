import django_filters
from django.utils.translation import gettext_lazy as _

from .models import Client, ClientCategory
from .selectors import account_owner_candidates, search_clients


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
