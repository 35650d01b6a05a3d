from datetime import date, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .accounts import staff_import
from .accounts.admin_roles import RoleChoicesMixin, RoleFilter, role_column
from .accounts.roles import Role, role_label
from .api_tokens import admin as api_token_admin  # noqa: F401 (registers the tokens)
from .models import (
    CalendarDay,
    Client,
    ClientContact,
    Department,
    GradingScheme,
    ReceptionExtra,
    ReceptionGrade,
    ReceptionPolicy,
    ReceptionStandard,
    RoleRank,
    Site,
    StaffMembership,
    User,
)
from .notifications.channels.admin import ChannelAccountInline  # also registers the channel models
from .policy.calendar import (
    ENTRY,
    OFFICIAL,
    WEEKENDS,
    WorkingCalendar,
    official_schedule_known,
    official_years_label,
)
from .policy.calendar_import import CalendarImportError, import_calendar, parse_calendar
from .validators import EARLIEST, LATEST, in_date_window
from .webhooks import admin as webhook_admin  # noqa: F401 (registers the webhooks)


class MembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["department"]


@admin.register(User)
class UserAdmin(RoleChoicesMixin, DjangoUserAdmin):
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Jiedai"), {"fields": ("full_name", "phone", "employee_number")}),
        (_("Sites"), {"fields": ("home_site", "sites")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Jiedai"), {"fields": ("full_name", "phone", "email")}),
    )
    list_display = ("username", "full_name", "email", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", ("groups", RoleFilter), "departments", "sites")
    search_fields = ("username", "full_name", "email", "phone")
    inlines = [MembershipInline, ChannelAccountInline]
    autocomplete_fields = ["home_site"]
    filter_horizontal = ("groups", "user_permissions", "sites")
    change_list_template = "admin/reception/user/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="reception_user_import"),
            path(
                "import/template.<str:fmt>",
                view(self.import_template_view),
                name="reception_user_import_template",
            ),
            *super().get_urls(),
        ]

    def import_template_view(self, request, fmt):
        if fmt == "xlsx":
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            body = staff_import.template_xlsx()
        elif fmt == "csv":
            content_type, body = "text/csv; charset=utf-8", staff_import.template_csv()
        else:
            return redirect("admin:reception_user_import")
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="staff-template.{fmt}"'
        return response

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        rows, problem = None, ""
        form = StaffImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            rows = form.cleaned_data["rows"]
            if "confirm" in request.POST and not staff_import.has_errors(rows):
                report = staff_import.import_staff(rows=rows)
                c = report.counts
                messages.success(
                    request,
                    gettext(
                        "%(n)s people read: %(created)s created, %(updated)s updated, "
                        "%(departments)s new departments."
                    )
                    % {"n": len(rows), **c},
                )
                return redirect("admin:reception_user_changelist")
        elif request.method == "POST":
            problem = " ".join(form.non_field_errors())
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import staff"),
            "form": form,
            "rows": rows,
            "problem": problem,
            "has_errors": rows is not None and staff_import.has_errors(rows),
            "rows_json": staff_import.rows_to_json(rows) if rows else "",
        }
        return TemplateResponse(request, "admin/reception/user/import.html", context)


class StaffImportForm(forms.Form):
    """An upload (first step) or the previewed rows sent back to be saved (second step)."""

    file = forms.FileField(
        label=_("File"), required=False, help_text=_("An .xlsx workbook or a .csv file.")
    )
    rows = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        try:
            if upload:
                rows = staff_import.read_rows(upload.name, upload.file)
            elif data.get("rows"):
                rows = staff_import.rows_from_json(data["rows"])
            else:
                raise forms.ValidationError(_("Choose a file to upload."))
        except staff_import.StaffFileError as error:
            raise forms.ValidationError(str(error)) from None
        if not rows:
            raise forms.ValidationError(_("The file lists nobody."))
        data["rows"] = staff_import.preview(rows)  # checked again on confirming
        return data


class DepartmentMembershipInline(admin.TabularInline):
    model = StaffMembership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Department)
class DepartmentAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "head", "parent")
    list_filter = ("parent",)
    search_fields = ("code", "name", "name_en")
    autocomplete_fields = ["head", "parent"]
    inlines = [DepartmentMembershipInline]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "address", "time_zone", "is_active", "ordering")
    list_editable = ("ordering",)
    list_filter = ("is_active",)
    search_fields = ("code", "name", "name_en", "address", "address_en")
    fieldsets = (
        (None, {"fields": ("code", "name", "name_en", "is_active", "ordering")}),
        (
            _("Address"),
            {"fields": ("address", "address_en", "directions", "directions_en", "time_zone")},
        ),
    )


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department", "title")
    list_filter = ("department",)
    search_fields = ("user__username", "user__full_name", "department__name", "title")
    autocomplete_fields = ["user", "department"]


class ClientContactInline(admin.TabularInline):
    model = ClientContact
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "name_en",
        "category",
        "industry",
        "account_owner",
        "project_engineer",
        "cooperation_status",
    )
    list_filter = ("category", "cooperation_status", "scale", "account_owner")
    search_fields = ("name", "name_en", "industry", "contacts__name")
    autocomplete_fields = ["account_owner", "project_engineer"]
    inlines = [ClientContactInline]


@admin.register(ClientContact)
class ClientContactAdmin(admin.ModelAdmin):
    list_display = ("name", "title", "client", "phone", "email")
    list_filter = ("client__category",)
    search_fields = ("name", "title", "client__name", "phone", "email")
    autocomplete_fields = ["client"]


class ReceptionGradeInline(admin.TabularInline):
    model = ReceptionGrade
    extra = 0
    fields = ("code", "name", "name_en", "rank", "active")


@admin.register(GradingScheme)
class GradingSchemeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")
    inlines = [ReceptionGradeInline]


class ReceptionStandardInline(RoleChoicesMixin, admin.StackedInline):
    model = ReceptionStandard
    can_delete = False
    filter_horizontal = ["extras"]


@admin.register(ReceptionGrade)
class ReceptionGradeAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en", "scheme", "rank", "active")
    list_filter = ("scheme", "active")
    list_editable = ("rank", "active")
    search_fields = ("code", "name", "name_en")
    inlines = [ReceptionStandardInline]


@admin.register(ReceptionStandard)
class ReceptionStandardAdmin(RoleChoicesMixin, SimpleHistoryAdmin):
    list_display = (
        "grade",
        "meal_per_person",
        "wine_per_bottle",
        "cigarettes_per_pack",
        "hotel_class",
        "car_class",
        role_column(ReceptionStandard, "main_host_role"),
    )
    list_select_related = ("grade", "main_host_role")
    list_filter = ("grade__scheme", ("main_host_role", RoleFilter), "extras")
    search_fields = ("grade__name", "grade__name_en", "grade__code", "hotel_class", "car_class")
    filter_horizontal = ["extras"]


@admin.register(ReceptionExtra)
class ReceptionExtraAdmin(SimpleHistoryAdmin):
    list_display = ("code", "name", "name_en")
    search_fields = ("code", "name", "name_en")


class ReceptionPolicyForm(forms.ModelForm):
    """The walk-in roles, a JSON list of role codes, edited as checkboxes."""

    walk_in_roles = forms.MultipleChoiceField(
        label=_("walk-ins are also announced to (roles)"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=ReceptionPolicy._meta.get_field("walk_in_roles").help_text,
    )

    class Meta:
        model = ReceptionPolicy
        # every field of the one policy row, as the admin showed before this form
        fields = "__all__"  # noqa: DJ007


@admin.register(ReceptionPolicy)
class ReceptionPolicyAdmin(RoleChoicesMixin, SimpleHistoryAdmin):
    form = ReceptionPolicyForm
    filter_horizontal = ["walk_in_departments"]
    list_display = ("__str__", "company_name", "scheme", "lead_time_days", "handover_working_days")

    def has_add_permission(self, request):
        return not ReceptionPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoleRank)
class RoleRankAdmin(SimpleHistoryAdmin):
    """The order of authority among roles: approval steps escalate only to roles ranked at or
    above their own (the chain steps' escalation targets are checked against it)."""

    list_display = ("role_name", "rank")
    list_editable = ("rank",)
    list_select_related = ("role",)
    ordering = ("rank", "role__name")

    @admin.display(description=_("role"), ordering="role__name")
    def role_name(self, rank):
        return role_label(rank.role.name)


# ---- the working-day calendar ---------------------------------------------------------------


def calendar_warnings(years) -> list[str]:
    """One warning per year whose official schedule the holiday library does not carry."""
    covered = official_years_label()
    warnings = []
    for year in years:
        if official_schedule_known(year):
            continue
        entered = CalendarDay.objects.filter(day__year=year).count()
        warnings.append(
            gettext(
                "The holiday library has no official schedule for %(year)s (it covers "
                "%(covered)s): dates in %(year)s count weekends only, plus the %(entered)s "
                "dates entered here. Enter the official holidays and make-up working days "
                "when they are published (Import a year)."
            )
            % {"year": year, "covered": covered, "entered": entered}
        )
    return warnings


class CalendarImportForm(forms.Form):
    text = forms.CharField(
        label=_("List"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 16, "cols": 70, "placeholder": "2027-01-01 off 元旦"}),
        help_text=_(
            "One date or range per line, then “off” or “work”, then a note, e.g. "
            "“2027-02-06..2027-02-14 off 春节” or “2027-02-20 work 调休上班”. "
            "Lines starting with # are ignored."
        ),
    )
    file = forms.FileField(
        label=_("or a file"), required=False, help_text=_("A UTF-8 text or CSV file.")
    )
    replace = forms.BooleanField(
        label=_("Replace the entries of these years"),
        required=False,
        help_text=_("Delete the entries of the same years that the list does not contain."),
    )

    def clean(self):
        data = super().clean()
        text = data.get("text") or ""
        upload = data.get("file")
        if upload:
            try:
                text += "\n" + upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("The file is not UTF-8 text.")) from None
        try:
            data["entries"] = parse_calendar(text)
        except CalendarImportError as error:
            raise forms.ValidationError(str(error)) from None
        if not data["entries"]:
            raise forms.ValidationError(_("The list contains no dates."))
        return data


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    list_display = ("day", "weekday", "kind", "note", "updated_at")
    list_filter = ("kind",)
    search_fields = ("note",)
    date_hierarchy = "day"
    change_list_template = "admin/reception/calendarday/change_list.html"

    @admin.display(description=_("weekday"), ordering="day")
    def weekday(self, obj):
        return date_format_weekday(obj.day)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="reception_calendarday_import"),
            path("year/", view(self.year_view), name="reception_calendarday_year"),
            *super().get_urls(),
        ]

    def _warn(self, request, years):
        for warning in calendar_warnings(years):
            messages.warning(request, warning)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            year = timezone.localdate().year
            self._warn(request, [year, year + 1])
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_add_permission(request) or not self.has_change_permission(request):
            return redirect("admin:index")
        form = CalendarImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            entries = form.cleaned_data["entries"]
            report = import_calendar(entries=entries, replace=form.cleaned_data["replace"])
            c = report.counts
            messages.success(
                request,
                gettext(
                    "%(n)s dates read: %(created)s created, %(updated)s updated, "
                    "%(deleted)s deleted."
                )
                % {"n": len(entries), **c},
            )
            year = entries[0].day.year
            return redirect(f"{reverse('admin:reception_calendarday_year')}?year={year}")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a year's holidays and working days"),
            "form": form,
        }
        return TemplateResponse(request, "admin/reception/calendarday/import.html", context)

    def year_view(self, request):
        if not self.has_view_permission(request):
            return redirect("admin:index")
        today = timezone.localdate()
        try:
            year = int(request.GET.get("year") or today.year)
            first = date(year, 1, 1)
        except ValueError:
            first = None
        if first is None or not in_date_window(first):
            messages.warning(
                request,
                _("“%(year)s” is not a year between %(first)s and %(last)s: showing this year.")
                % {
                    "year": request.GET.get("year", "")[:10],
                    "first": EARLIEST.year,
                    "last": LATEST.year,
                },
            )
            year, first = today.year, date(today.year, 1, 1)
        self._warn(request, [year])
        calendar = WorkingCalendar()
        rows = []
        day = first
        while day.year == year:
            info = calendar.info(day)
            if info.source == ENTRY or info.working != (day.weekday() < 5):
                rows.append({"info": info, "weekday": date_format_weekday(day)})
            day += timedelta(days=1)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Working-day calendar %(year)s") % {"year": year},
            "year": year,
            "years": [year - 1, year + 1],
            "rows": rows,
            "sources": {
                ENTRY: _("entered here"),
                OFFICIAL: _("official"),
                WEEKENDS: _("weekends only"),
            },
        }
        return TemplateResponse(request, "admin/reception/calendarday/year.html", context)


def date_format_weekday(day: date) -> str:
    return date_format(day, "l")
