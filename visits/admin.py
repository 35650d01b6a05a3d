from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from reception.accounts.admin_roles import RoleChoicesMixin
from reception.errors import RuleError
from reception.models import Site

from .models import (
    AnonymisationRun,
    ArrivalKind,
    CalendarFeed,
    ItineraryItem,
    Party,
    PrepTask,
    PrepTaskTemplate,
    Reminder,
    ReminderRule,
    VisitEvent,
    Visitor,
    VisitRequest,
    WalkIn,
    WelcomeDisplay,
)
from .models.guests import (
    BadgeFormat,
    GradeColour,
    GuestNotice,
    GuestPolicy,
    LobbyKiosk,
    PassScan,
)
from .models.preparation import CONDITION_CHOICES
from .reminders import retry, sweep
from .services.corrections import correct_check_times
from .services.welcome import rotate_display_secret

# ---- the audit trail is append-only ---------------------------------------------------------


def read_only_fields(self, request, obj=None):
    return [f.name for f in self.model._meta.fields]


def no_add(self, request, obj=None):
    return False


def no_change(self, request, obj=None):
    return False


def no_delete(self, request, obj=None):
    return False


class CheckTimesCorrectionForm(forms.Form):
    visitor = forms.ModelChoiceField(label=_("visitor"), queryset=Visitor.objects.none())
    checked_in_at = forms.DateTimeField(
        label=_("checked in at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    checked_out_at = forms.DateTimeField(
        label=_("checked out at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label=_("reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Shown on the visit's timeline with the old and the new times."),
    )

    def __init__(self, *args, visit, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitor"].queryset = visit.visitors.all()


def json_lists_as_checkboxes(form: forms.ModelForm, choices_by_field: dict) -> None:
    """Edit JSON lists of codes (e.g. purposes, services) as checkboxes of their choices."""
    for name, choices in choices_by_field.items():
        field = form.fields[name]
        form.fields[name] = forms.MultipleChoiceField(
            label=field.label,
            help_text=field.help_text,
            choices=choices.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )


class PrepTaskTemplateForm(forms.ModelForm):
    """The JSON condition lists edited as checkboxes."""

    class Meta:
        model = PrepTaskTemplate
        fields = [
            "code",
            "department",
            "name",
            "name_en",
            "description",
            "description_en",
            "active",
            "grades",
            "guest_kinds",
            "purposes",
            "client_categories",
            "services",
            "arrival_modes",
            "needs_meals",
            "needs_rooms",
            "due_working_days",
            "quantity_hint",
            "standard_hint",
            "assign_to",
            "time_watch",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        json_lists_as_checkboxes(self, CONDITION_CHOICES)


@admin.register(PrepTaskTemplate)
class PrepTaskTemplateAdmin(SimpleHistoryAdmin):
    form = PrepTaskTemplateForm
    list_display = ("code", "name", "department", "due_working_days", "active")
    list_filter = ("department", "active", "grades", "assign_to", "needs_meals", "needs_rooms")
    list_editable = ("active",)
    search_fields = ("code", "name", "name_en", "description")
    filter_horizontal = ("grades",)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "code",
                    "department",
                    "name",
                    "name_en",
                    "description",
                    "description_en",
                    "active",
                )
            },
        ),
        (
            _("When it applies"),
            {
                "fields": (
                    "grades",
                    "guest_kinds",
                    "purposes",
                    "client_categories",
                    "services",
                    "arrival_modes",
                    "needs_meals",
                    "needs_rooms",
                )
            },
        ),
        (
            _("When and how"),
            {
                "fields": (
                    "due_working_days",
                    "quantity_hint",
                    "standard_hint",
                    "time_watch",
                    "assign_to",
                )
            },
        ),
    )

    # With several sites, a template may be a site's own (standing in for a group one there);
    # a one-site company sees no site.
    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if Site.objects.count() > 1 or (obj is not None and obj.site_id):
            return [*fieldsets, (_("Site"), {"fields": ("site", "replaces")})]
        return fieldsets

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return [*shown, "site"] if Site.objects.count() > 1 else shown


@admin.register(PrepTask)
class PrepTaskAdmin(admin.ModelAdmin):
    list_display = (
        "visit",
        "name",
        "department",
        "due_date",
        "status",
        "needs_recheck",
        "assignee",
        "done_by",
    )
    list_filter = ("status", "needs_recheck", "department")
    search_fields = ("visit__reference", "name", "name_en", "note")
    raw_id_fields = ("visit", "template", "assignee", "done_by")
    list_select_related = ("visit", "department", "assignee", "done_by")

    # Read-only: tasks are assigned, done and re-opened on the department pages, which keep
    # who did what and when (done_by, done_at, status) — the admin does not rewrite them.
    get_readonly_fields = read_only_fields
    has_add_permission = no_add
    has_delete_permission = no_delete


class ReadOnlyInline(admin.TabularInline):
    """Visitors (with their check-in and check-out times) and the itinerary change on the
    product's pages, which put every change on the timeline; corrections of check times go
    through the visit's “Correct check-in/out times” page."""

    extra = 0
    can_delete = False
    get_readonly_fields = read_only_fields
    has_add_permission = no_add


class VisitorInline(ReadOnlyInline):
    model = Visitor
    exclude = ("id_number_hash",)  # a keyed hash, for matching only: never shown

    def get_readonly_fields(self, request, obj=None):
        return [f for f in read_only_fields(self, request, obj) if f != "id_number_hash"]


class ItineraryInline(ReadOnlyInline):
    model = ItineraryItem


@admin.register(VisitRequest)
class VisitRequestAdmin(admin.ModelAdmin):
    """Read-mostly: requests change through the product's pages, which log every change."""

    list_display = (
        "reference",
        "client",
        "site",
        "status",
        "proposed_grade",
        "final_grade",
        "arrival_at",
        "applicant",
        "late",
    )
    list_filter = ("status", "site", "late", "final_grade", "origin", "client__category")
    search_fields = (
        "reference",
        "client__name",
        "client__name_en",
        "applicant__full_name",
        "visitors__name",
    )
    date_hierarchy = "arrival_at"
    list_select_related = ("client", "site", "proposed_grade", "final_grade", "applicant")
    inlines = [VisitorInline, ItineraryInline]

    has_add_permission = no_add
    has_delete_permission = no_delete  # cancel a visit instead; its trail stays

    def get_fields(self, request, obj=None):
        return [*(f.name for f in self.model._meta.fields), "corrections"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description=_("corrections"))
    def corrections(self, visit):
        if not visit.pk:
            return "—"
        url = reverse("admin:visits_visitrequest_correct_check_times", args=[visit.pk])
        return format_html('<a href="{}">{}</a>', url, _("Correct check-in/out times"))

    def get_urls(self):
        view = self.admin_site.admin_view(self.correct_check_times_view)
        return [
            path(
                "<int:object_id>/correct-check-times/",
                view,
                name="visits_visitrequest_correct_check_times",
            ),
            *super().get_urls(),
        ]

    def correct_check_times_view(self, request, object_id):
        visit = get_object_or_404(VisitRequest, pk=object_id)
        if not self.has_change_permission(request, visit):
            raise PermissionDenied
        form = CheckTimesCorrectionForm(request.POST or None, visit=visit)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                correct_check_times(
                    visitor=data["visitor"],
                    by=request.user,
                    checked_in_at=data["checked_in_at"],
                    checked_out_at=data["checked_out_at"],
                    reason=data["reason"],
                )
            except RuleError as error:
                form.add_error(None, error.message)
            else:
                self.message_user(
                    request, _("Corrected; the correction is on the visit's timeline.")
                )
                return redirect("admin:visits_visitrequest_change", visit.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": visit,
            "title": _("Correct check-in/out times"),
            "form": form,
        }
        return TemplateResponse(
            request, "admin/visits/visitrequest/correct_check_times.html", context
        )


@admin.register(VisitEvent)
class VisitEventAdmin(admin.ModelAdmin):
    list_display = ("visit", "at", "kind", "from_status", "to_status", "actor")
    list_filter = ("kind", "to_status")
    search_fields = ("visit__reference", "comment")
    list_select_related = ("visit", "actor")

    # the timeline is append-only: never edited, added or deleted here
    has_change_permission = no_change
    has_add_permission = no_add
    has_delete_permission = no_delete


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    """People's calendar feeds. Deleting one revokes its URL (the owner's page makes a new one);
    nobody reads the secret here."""

    list_display = ("user", "rotated_at")
    search_fields = ("user__username", "user__full_name")
    fields = ("user", "rotated_at")
    readonly_fields = ("user", "rotated_at")
    has_add_permission = no_add
    has_change_permission = no_change


@admin.register(WelcomeDisplay)
class WelcomeDisplayAdmin(admin.ModelAdmin):
    """Each lobby screen opens its secret URL; rotating the secret locks the old URL out."""

    list_display = ("name", "site", "active", "screen_url", "rotated_at")
    list_filter = ("active", "site")
    list_select_related = ("site",)
    search_fields = ("name",)
    readonly_fields = ("screen_url", "rotated_at")
    actions = ["rotate_secret"]

    @admin.display(description=_("screen URL"))
    def screen_url(self, display):
        if not display.pk:
            return _("Save to get the URL.")
        url = settings.SITE_URL.rstrip("/") + reverse("visits:welcome", args=[display.token])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)

    @admin.action(description=_("Rotate the secret (the old URL stops working)"))
    def rotate_secret(self, request, queryset):
        for display in queryset:
            rotate_display_secret(display)
        n = queryset.count()
        self.message_user(
            request,
            ngettext("%(n)s display has a new URL.", "%(n)s displays have a new URL.", n)
            % {"n": n},
        )


@admin.register(WalkIn)
class WalkInAdmin(admin.ModelAdmin):
    list_display = (
        "recorded_at",
        "site",
        "company",
        "names",
        "wants_to_see",
        "status",
        "decided_by",
        "on_behalf_of",
    )
    list_filter = ("status", "site")
    search_fields = ("company", "names", "phone", "purpose")
    raw_id_fields = ("client", "visit", "recorded_by", "wants_to_see", "decided_by", "on_behalf_of")
    list_select_related = ("site", "wants_to_see", "decided_by")


# ---- reminders -----------------------------------------------------------------------------


class ReminderRuleForm(forms.ModelForm):
    class Meta:
        model = ReminderRule
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "description_en",
            "active",
            "kind",
            "anchor",
            "offset_working_days",
            "send_time",
            "recipient_roles",
            "parties",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        json_lists_as_checkboxes(self, {"parties": Party})


@admin.register(ReminderRule)
class ReminderRuleAdmin(RoleChoicesMixin, SimpleHistoryAdmin):
    form = ReminderRuleForm
    list_display = ("code", "name", "kind", "anchor", "offset_working_days", "send_time", "active")
    list_filter = ("kind", "anchor", "active")
    list_editable = ("active",)
    search_fields = ("code", "name", "name_en", "description")
    filter_horizontal = ("recipient_roles",)
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "description", "description_en", "active")}),
        (_("What and when"), {"fields": ("kind", "anchor", "offset_working_days", "send_time")}),
        (_("Who"), {"fields": ("recipient_roles", "parties")}),
    )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """Read-only: reminders are created and sent by the sweep. Failed ones can be retried."""

    list_display = (
        "due_at",
        "rule",
        "subject",
        "recipient",
        "status",
        "attempts",
        "sent_at",
        "short_error",
    )
    list_filter = ("status", "rule", "due_at")
    search_fields = ("visit__reference", "recipient__username", "recipient__full_name", "error")
    date_hierarchy = "due_at"
    list_select_related = ("rule", "visit", "recipient", "task")
    actions = ["retry_reminders", "run_sweep"]

    @admin.display(description=_("about"))
    def subject(self, obj):
        if obj.task_id:
            name = str(obj.task)
            short = name if len(name) <= 25 else f"{name[:24]}…"
            return f"{obj.visit.reference} · {short}"
        return obj.visit.reference if obj.visit_id else obj.day

    @admin.display(description=_("error"))
    def short_error(self, obj):
        return (obj.error[:80] + "…") if len(obj.error) > 80 else obj.error

    @admin.action(description=_("Retry the selected reminders (send them with the next sweep)"))
    def retry_reminders(self, request, queryset):
        count = retry(queryset)
        text = ngettext(
            "%(n)s reminder will be sent again.", "%(n)s reminders will be sent again.", count
        )
        self.message_user(request, text % {"n": count}, messages.SUCCESS)

    @admin.action(description=_("Send everything that is due now (run the sweep)"))
    def run_sweep(self, request, queryset):
        self.message_user(request, str(sweep()), messages.SUCCESS)

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AnonymisationRun)
class AnonymisationRunAdmin(admin.ModelAdmin):
    """What the retention sweep anonymised: a record, never edited."""

    list_display = ("ran_at", "retention_days", "visits", "visitors", "walk_ins")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ArrivalKind)
class ArrivalKindAdmin(admin.ModelAdmin):
    """The gate's kinds of arrival (docs/gate.md): policy data the company edits. `fields`
    lists codes of visits.models.arrivals.FIELD_CODES; `told_roles` lists role codes."""

    list_display = ("code", "name", "name_en", "retention_days", "is_active", "ordering")
    list_editable = ("is_active", "ordering")
    filter_horizontal = ("told_departments",)


# ---- the guest's side (docs/guests.md) ------------------------------------------------------


@admin.register(GuestPolicy)
class GuestPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "invite_before_approval", "extra_visitors", "changes_per_hour")

    def has_add_permission(self, request):
        return not GuestPolicy.objects.exists() and super().has_add_permission(request)


@admin.register(GuestNotice)
class GuestNoticeAdmin(admin.ModelAdmin):
    """The texts visitors accept. A new wording is a new version (a new row): acceptances
    name the version they were given."""

    list_display = ("name", "kind", "version", "active", "required_for_tours")
    list_filter = ("kind", "active")


@admin.register(BadgeFormat)
class BadgeFormatAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "width_mm", "height_mm", "ordering")
    list_editable = ("ordering",)


@admin.register(GradeColour)
class GradeColourAdmin(admin.ModelAdmin):
    list_display = ("grade", "colour")


@admin.register(LobbyKiosk)
class LobbyKioskAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "active", "kiosk_url")
    list_filter = ("active", "site")
    readonly_fields = ("kiosk_url",)

    @admin.display(description=_("kiosk URL"))
    def kiosk_url(self, kiosk):
        if not kiosk.pk:
            return _("Save to get the URL.")
        url = settings.SITE_URL.rstrip("/") + reverse("visits:kiosk", args=[kiosk.token])
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, url)


@admin.register(PassScan)
class PassScanAdmin(admin.ModelAdmin):
    """Every code given at the desk, the gate or a kiosk, with its answer (read only)."""

    list_display = ("at", "code", "outcome", "site", "by", "kiosk")
    list_filter = ("outcome", "site")
    get_readonly_fields = read_only_fields
    has_add_permission = no_add
    has_change_permission = no_change
    has_delete_permission = no_delete
