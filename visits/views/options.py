"""What a searched <select> offers (visits/forms/widgets.py): a few matches as JSON, for the
filing form's client, main host and companions, the visit page's main host and the walk-in
form's "wants to see". People are found by name, pinyin (full or initials), department, title
or role (reception.organisation.selectors.search_staff) and shown with their department beside the
name."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import JsonResponse
from django.views import View

from reception.models import Client, User
from reception.organisation.selectors import (
    account_owner_candidates,
    search_clients,
    search_staff,
    staff_label,
    with_departments,
)

from ..services.walk_ins import hosts

# Matches per answer: enough to pick from, small whatever the company's size. Typing more
# narrows the list.
LIMIT = 20


def answer(rows, label) -> JsonResponse:
    rows = list(rows[: LIMIT + 1])
    return JsonResponse(
        {
            "results": [{"value": str(row.pk), "text": label(row)} for row in rows[:LIMIT]],
            "more": len(rows) > LIMIT,
        }
    )


class StaffOptionsView(PermissionRequiredMixin, View):
    """Active staff by name or username: for whoever files requests or reads visits (the
    visit page's staff form)."""

    permission_required = ("visits.add_visitrequest", "visits.view_visitrequest")

    def has_permission(self):
        return any(self.request.user.has_perm(p) for p in self.permission_required)

    def get(self, request):
        # ?applicants=1: only those who may file requests (the visit list's applicant filter)
        people = account_owner_candidates() if request.GET.get("applicants") else User.objects
        staff = search_staff(people.filter(is_active=True), request.GET.get("q", ""))
        return answer(with_departments(staff.order_by("full_name", "username", "pk")), staff_label)


class HostOptionsView(PermissionRequiredMixin, View):
    """Whom walk-ins may ask for (visits.host_visitors), the recorder left out: for the gate
    and the front desk, who record walk-ins."""

    permission_required = "visits.add_walkin"

    def get(self, request):
        staff = search_staff(hosts().exclude(pk=request.user.pk), request.GET.get("q", ""))
        return answer(with_departments(staff.order_by("full_name", "username", "pk")), staff_label)


class ClientOptionsView(PermissionRequiredMixin, View):
    """Clients by name (Chinese or English) or a contact's name: for whoever files requests."""

    permission_required = "visits.add_visitrequest"

    def get(self, request):
        clients = search_clients(Client.objects.all(), request.GET.get("q", ""))
        return answer(clients.order_by("name", "pk"), lambda client: client.label)
