"""A client's visit history, shown on the client page (reception) without reception knowing
about visits: the page loads this partial from here."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from reception.models import Client

from ..selectors import visible_visits, with_list_facts

HISTORY_LENGTH = 50


class ClientVisitsView(PermissionRequiredMixin, TemplateView):
    """The client's latest visits this user may open (the visits app decides who sees what)."""

    permission_required = "reception.view_client"

    def get_template_names(self):
        if self.request.htmx:
            return ["visits/_client_visits.html"]
        return ["visits/client_visits.html"]

    def get_context_data(self, **kwargs):
        client = get_object_or_404(Client, pk=self.kwargs["pk"])
        visits = (
            with_list_facts(visible_visits(self.request.user))
            .filter(client=client)
            .order_by("-arrival_at")[:HISTORY_LENGTH]
        )
        return super().get_context_data(client=client, visits=list(visits), **kwargs)
