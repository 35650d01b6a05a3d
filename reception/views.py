import math
import sys
from datetime import timedelta

from axes.helpers import get_client_username, get_cool_off
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import TooManyFieldsSent, TooManyFilesSent
from django.core.paginator import Paginator
from django.db import IntegrityError, InterfaceError, OperationalError, transaction
from django.db.models import Count, Window
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import check_for_language, ngettext
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.generic import DetailView, ListView, View
from django.views.i18n import set_language as django_set_language
from django_filters.views import FilterView

from .accounts.roles import DEFAULT_PERMISSIONS, role_label
from .filters import ClientFilter
from .forms import ClientForm, ContactFormSet, LocalisedPasswordResetForm
from .http import safe_next
from .models import Client, Notification, User
from .navigation import panels_for
from .organisation.selectors import editable_clients
from .validators import MAX_PAGE


class PageQueryMixin:
    """Pagination links keep the list's filters: `query_string` is the query without `page`."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_string"] = query.urlencode()
        return context


class WindowCountPaginator(Paginator):
    """Django's Paginator, with the total read in the page's own query: the page's rows carry
    `COUNT(*) OVER ()`, which the database computes before LIMIT and OFFSET, so a page costs
    one query instead of a count and then the rows (the count's query, built and compiled
    again with every filter of the list, is most of its cost). A page past the end has no
    row to carry the total: it is counted apart, as Django does."""

    def page(self, number):
        try:
            wanted = int(number)
        except (TypeError, ValueError):
            wanted = 0
        if 1 <= wanted <= MAX_PAGE and "count" not in self.__dict__:
            bottom = (wanted - 1) * self.per_page
            rows = list(
                self.object_list.annotate(_paginator_total=Window(Count("*")))[
                    bottom : bottom + self.per_page + self.orphans
                ]
            )
            if rows:
                self.count = rows[0]._paginator_total  # the cached_property's own slot
                number = self.validate_number(number)
                top = bottom + self.per_page
                if top + self.orphans >= self.count:
                    top = self.count
                return self._get_page(rows[: top - bottom], number, self)
        return super().page(number)


class ClientListView(PermissionRequiredMixin, PageQueryMixin, FilterView):
    permission_required = "reception.view_client"
    filterset_class = ClientFilter
    template_name = "reception/client_list.html"
    paginate_by = 25

    def get_queryset(self):
        return Client.objects.select_related("account_owner").order_by("name", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page_ids = [c.pk for c in context["object_list"]]
        context["editable_ids"] = set(
            editable_clients(self.request.user).filter(pk__in=page_ids).values_list("pk", flat=True)
        )
        return context


class ClientDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "reception.view_client"
    template_name = "reception/client_detail.html"
    queryset = Client.objects.select_related("account_owner", "project_engineer").prefetch_related(
        "contacts"
    )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = editable_clients(self.request.user).filter(pk=self.object.pk).exists()
        context["panels"] = panels_for("client", self.object.pk)
        return context


class ClientEditView(PermissionRequiredMixin, View):
    """Create (no pk) or edit a client and its contacts on one page."""

    template_name = "reception/client_form.html"

    def get_permission_required(self):
        return ["reception.change_client" if "pk" in self.kwargs else "reception.add_client"]

    def get_object(self):
        if "pk" not in self.kwargs:
            return Client()
        return get_object_or_404(editable_clients(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, **kwargs):
        client = self.get_object()
        form = ClientForm(instance=client, user=request.user)
        return self.render(client, form, ContactFormSet(instance=client, prefix="contacts"))

    def post(self, request, **kwargs):
        client = self.get_object()
        form = ClientForm(request.POST, instance=client, user=request.user)
        contacts = ContactFormSet(request.POST, instance=client, prefix="contacts")
        if form.is_valid() and contacts.is_valid():
            try:
                with transaction.atomic():
                    client = form.save()
                    contacts.instance = client
                    contacts.save()
            except IntegrityError:
                # Another user saved the same name a moment ago.
                form.add_error("name", _("A client with this name already exists."))
            else:
                messages.success(request, _("Client “%(name)s” saved.") % {"name": client})
                return redirect("reception:client_detail", pk=client.pk)
        return self.render(client, form, contacts, status=400)

    def render(self, client, form, contacts, status=200):
        context = {"client": client, "form": form, "contacts": contacts}
        return render(self.request, self.template_name, context, status=status)


class NotificationListView(ListView):
    template_name = "reception/notification_list.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user)


class NotificationOpenView(View):
    """Mark a notification read and follow its link (to the list if it has none). The bell's
    list posts here; the home page's unread items link here: opening one is reading it."""

    def post(self, request, pk):
        notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
        if notification.read_at is None:
            notification.read_at = timezone.now()
            notification.save(update_fields=["read_at"])
        return redirect(safe_next(request, "notifications", target=notification.url))

    get = post


class NotificationReadAllView(View):
    def post(self, request):
        count = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        messages.info(
            request,
            ngettext("%(n)s notification marked read.", "%(n)s notifications marked read.", count)
            % {"n": count},
        )
        return redirect("notifications")


@login_not_required
def set_language(request):
    """Django's language switch, remembered on the user's profile when logged in."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.method == "POST" and request.user.is_authenticated and check_for_language(language):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


def bad_request(request, exception=None):
    """The 400 page. A form with more fields than DATA_UPLOAD_MAX_NUMBER_FIELDS (or files than
    DATA_UPLOAD_MAX_NUMBER_FILES) is refused before any view sees it: say so plainly."""
    context = {
        "too_many_fields": isinstance(exception, TooManyFieldsSent | TooManyFilesSent),
        "field_limit": settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
    }
    return render(request, "400.html", context, status=400)


def roles_with_permission(perms) -> list[str]:
    """Labels of the roles whose default permissions include every one of `perms` (the
    administrator's "everything" left out: naming them helps nobody find the right person)."""
    if isinstance(perms, str):
        perms = (perms,)
    return [
        str(role_label(code))
        for code, granted in DEFAULT_PERMISSIONS.items()
        if perms and "*" not in granted and all(p in granted for p in perms)
    ]


def permission_denied(request, exception=None):
    """The 403 page, in the layout: for a permission-guarded page, name the roles that have it."""
    match = getattr(request, "resolver_match", None)
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    # a page that asks a rule of its object names the role permission the rule wraps
    needed = (
        getattr(view_class, "role_permission", None)
        or getattr(view_class, "permission_required", None)
        or ()
    )
    context = {"needed_roles": roles_with_permission(needed)}
    return render(request, "403.html", context, status=403)


# While the database restarts (a few seconds) or fails over: when to ask again.
RETRY_AFTER_SECONDS = 5


def server_error(request):
    """The 500 page; or, when the database does not answer (an OperationalError or
    InterfaceError reached the top: refused or dropped connections, a restart, a failover), a
    503 with Retry-After and "try again in a moment". Both render without a request context:
    they need neither the database nor a session. Django calls this inside its handling of
    the exception, so sys.exc_info() names it."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: an expired or missing form token, said plainly in the layout."""
    return render(request, "403_csrf.html", status=403)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = LocalisedPasswordResetForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password also lifts a log-in lock-out on that username."""

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


@login_not_required
def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out log-in: the login card with how long to wait."""
    cool_off = get_cool_off(request) or timedelta(0)
    context = {
        "username": get_client_username(request, credentials) or "",
        "minutes": max(1, math.ceil(cool_off.total_seconds() / 60)),
    }
    return render(request, "registration/locked_out.html", context, status=429)
