"""The filing form: the request, its visitors; the reason and staff forms of the visit page."""

import functools
from typing import cast

from django import forms
from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from reception.accounts.roles import Role
from reception.models import (
    Client,
    ClientContact,
    ReceptionGrade,
    Site,
    User,
    phone_validator,
)
from reception.organisation.selectors import users_with_role
from reception.validators import TextRulesMixin, parse_id, parse_ids

from ..models import SUBMITTABLE_STATUSES, Purpose, Service, VisitRequest
from ..models.requests import FILED_FIELDS
from ..services import requests as services
from ..services.staff import default_main_host
from .widgets import SearchedSelect, SearchedSelectMultiple

DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

id_number_validator = RegexValidator(
    r"^[A-Za-z0-9]{5,30}$",
    _("An ID or passport number has 5 to 30 letters and digits."),
)


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.title}" if obj.title else obj.name


BESIDE = {"client": ["client", "contacts"], "main_host": ["main_host", "accompanying_staff"]}


class VisitRequestForm(TextRulesMixin, forms.ModelForm):
    """The reception application form. Drafts may be incomplete; `check_submission` asks
    for everything a submission needs."""

    purposes = forms.MultipleChoiceField(
        label=_("Purposes"),
        choices=Purpose.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    services = forms.MultipleChoiceField(
        label=_("Services wanted"),
        choices=Service.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    contacts = ContactChoiceField(
        label=_("Client contacts"),
        queryset=ClientContact.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    main_host = StaffChoiceField(
        label=_("Main host"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Leave empty to take the main host the grade's standard names."),
        widget=SearchedSelect("visits:staff_options"),
    )
    accompanying_staff = StaffMultipleChoiceField(
        label=_("Accompanying staff"),
        queryset=User.objects.none(),
        required=False,
        widget=SearchedSelectMultiple("visits:staff_options"),
    )
    sales_lead = StaffChoiceField(
        label=_("Project marketing lead"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Leave empty to take the client's account owner (or you, if you are in sales). "
            "They keep the guests informed."
        ),
        widget=SearchedSelect("visits:staff_options"),
    )
    project_engineer = StaffChoiceField(
        label=_("Project engineer"),
        queryset=User.objects.none(),
        required=False,
        help_text=_(
            "Leave empty to take the client's project engineer (or you, if you are one). They "
            "prepare a technical customer's visit; without one, the technology department does."
        ),
        widget=SearchedSelect("visits:staff_options"),
    )

    class Meta:
        model = VisitRequest
        # The filed fields, with the contacts after the client and the companions after
        # the main host.
        fields = [f for field in FILED_FIELDS for f in BESIDE.get(field, [field])]
        widgets = {
            "client": SearchedSelect("visits:client_options"),
            "arrival_at": DATETIME_INPUT,
            "departure_at": DATETIME_INPUT,
            "reason": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 2}),
            "late_reason": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        staff = User.objects.filter(is_active=True).order_by("full_name", "username")
        self.fields["main_host"].queryset = staff
        self.fields["main_host"].empty_label = _("(the grade's default)")
        self.fields["accompanying_staff"].queryset = staff
        for name in ("sales_lead", "project_engineer"):
            self.fields[name].queryset = staff
            self.fields[name].empty_label = _("(the client's)")
        self.fields["client"].queryset = Client.objects.order_by("name")
        self.fields["headcount"].widget.attrs["data-headcount"] = ""
        self.fields["client"].widget.attrs.update(
            {
                "hx-get": reverse("visits:contact_options"),
                "hx-target": "#contact-options",
                "hx-trigger": "change",
            }
        )
        self.fields["proposed_grade"].queryset = ReceptionGrade.objects.current()
        self._offer_sites()
        self.fields["proposed_grade"].label = _("Proposed grade")
        for name in ("arrival_at", "departure_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
        for name in (*self.DEFAULTED, "headcount"):  # a draft may leave them empty
            self.fields[name].required = False
        client_id = self._client_id()
        self.fields["contacts"].queryset = ClientContact.objects.filter(client_id=client_id)
        host = default_main_host(self.instance) if self.instance.grade else None
        if host and not self.instance.main_host_id:
            if self.instance.is_commercial:
                text = _("Leave empty for the grade's default: %(name)s.")
            else:
                text = _("Leave empty for %(name)s, who receives non-commercial guests.")
            self.fields["main_host"].help_text = text % {"name": host}
        if self.instance.status not in SUBMITTABLE_STATUSES:
            self.fields["proposed_grade"].help_text = _(
                "Changing the grade sends the request back through approval."
            )

    def _offer_sites(self) -> None:
        """The active sites (and the request's own, if closed since), offered only when there
        is a choice; a one-site company never sees the field and the service sets it."""
        current = self.instance.site_id
        sites = list(Site.objects.filter(models.Q(is_active=True) | models.Q(pk=current)))
        if len(sites) < 2:
            del self.fields["site"]
            return
        field = cast(forms.ModelChoiceField, self.fields["site"])
        field.queryset = Site.objects.filter(pk__in=[s.pk for s in sites])
        field.help_text = _("The plant or office the guests come to: its reception receives them.")
        field.empty_label = None
        if current is None and self.instance.applicant_id is not None:
            default = services.default_site(self.instance.applicant)
            self.initial.setdefault("site", None)
            if self.initial["site"] is None and default is not None:
                self.initial["site"] = default.pk

    @property
    def selected_contacts(self) -> set[int]:
        values = self["contacts"].value() or []
        return set(parse_ids(getattr(v, "pk", v) for v in values))

    def _client_id(self):
        if self.is_bound:
            return parse_id(self.data.get(self.add_prefix("client")) or "")
        return self.instance.client_id

    def clean_arrival_at(self):
        arrival = self.cleaned_data.get("arrival_at")
        changed = "arrival_at" in self.changed_data or not self.instance.pk
        if arrival and changed and arrival <= timezone.now():
            raise forms.ValidationError(_("The arrival must be in the future."))
        return arrival

    # Left empty on a draft, they take the model's default; an empty headcount takes the
    # number of visitors named (check_visitor_count).
    DEFAULTED = (
        "origin",
        "guest_kind",
        "meals",
        "meal_staff",
        "rooms",
        "nights",
        "wine_bottles",
        "cigarette_packs",
    )

    def clean(self):
        data = super().clean()
        for name in self.DEFAULTED:
            if name in data and data[name] in (None, ""):
                data[name] = VisitRequest._meta.get_field(name).get_default()
        arrival, departure = data.get("arrival_at"), data.get("departure_at")
        if arrival and departure and departure <= arrival:
            self.add_error("departure_at", _("The departure must be after the arrival."))
        if Service.WELCOME_BANNER in data.get("services", []) and not data.get("banner_text"):
            self.add_error("banner_text", _("Write the text of the welcome banner."))
        if Service.OTHER in data.get("services", []) and not data.get("service_other"):
            self.add_error("service_other", _("Describe the other service."))
        return data

    def check_visitor_count(self, visitor_count: int) -> bool:
        """The headcount follows the named visitors when left empty; it may exceed them
        (names come later), never fall below."""
        headcount = self.cleaned_data.get("headcount")
        if headcount is None:
            self.cleaned_data["headcount"] = max(visitor_count, 1)
            self.instance.headcount = self.cleaned_data["headcount"]
            return True
        if headcount < visitor_count:
            self.add_error(
                "headcount",
                _("The number of visitors cannot be below the %(n)s named.") % {"n": visitor_count},
            )
            return False
        return True

    def check_submission(self, visitor_count: int) -> bool:
        """After is_valid(): add the errors that stop a submission. True if it can go."""
        problems = services.submission_problems(self.instance, visitor_count=visitor_count)
        for field, message in problems.items():
            self.add_error(field if field in self.fields else None, message)
        return not problems


class VisitorForm(TextRulesMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, validators=[phone_validator]
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        validators=[id_number_validator],
        help_text=_("Optional. Stored numbers are never shown; leave empty to keep one."),
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # the row's inputs sit under column headings
            if field.label:
                field.widget.attrs.setdefault("aria-label", field.label)
        self.fields["id_number"].widget.attrs["autocomplete"] = "off"
        masked = self.initial.get("id_number_masked")
        if masked:
            self.fields["id_number"].widget.attrs["placeholder"] = masked


# A request names at most this many visitors on its form (the headcount may be larger: the
# other names come later). With the request's own fields, the form stays below Django's
# DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000 fields); tests/visits/test_bad_input.py checks it.
MAX_VISITOR_ROWS = 100


class BaseVisitorFormSet(forms.BaseFormSet):
    default_error_messages = {
        "too_many_forms": ngettext_lazy(
            "Name at most %(num)d visitor here; the number of visitors counts the others.",
            "Name at most %(num)d visitors here; the number of visitors counts the others.",
            "num",
        )
    }

    def rows(self) -> list[dict]:
        """The visitors kept (not deleted, not left blank), as the service wants them."""
        return [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


VisitorFormSet = forms.formset_factory(
    VisitorForm,
    formset=BaseVisitorFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_VISITOR_ROWS,
    validate_max=True,
    absolute_max=MAX_VISITOR_ROWS,
)


def visitor_initial(visit: VisitRequest) -> list[dict]:
    if not visit.pk:
        return []
    return [
        {
            "id": v.pk,
            "name": v.name,
            "title": v.title,
            "phone": v.phone,
            "notes": v.notes,
            "id_number_masked": v.id_number_masked,
        }
        for v in visit.visitors.all()
    ]


class ReasonForm(TextRulesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000
    )


class StaffForm(TextRulesMixin, forms.Form):
    main_host = StaffChoiceField(
        label=_("Main host"),
        queryset=User.objects.none(),
        required=False,
        widget=SearchedSelect("visits:staff_options"),
    )
    receptionist = StaffChoiceField(
        label=_("Customer receptionist"), queryset=User.objects.none(), required=False
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        required=False,
        help_text=_("Required while the guests are on site."),
    )

    def __init__(self, *args, main_host: User | None = None, **kwargs):
        """`main_host`: the visit's main host when the page has read them (shown without a
        query when they are among the choices: active)."""
        super().__init__(*args, **kwargs)
        host = cast(StaffChoiceField, self.fields["main_host"])
        host.queryset = User.objects.filter(is_active=True).order_by("full_name", "username")
        if main_host is not None and main_host.is_active:
            host.widget.known = main_host
        receptionist = cast(StaffChoiceField, self.fields["receptionist"])
        receptionist.queryset = people = users_with_role(Role.RECEPTIONIST)

        # The options as a list, read once when the form renders: a model field reads its
        # choices through a server-side cursor on PostgreSQL (three round trips, not one).
        @functools.cache
        def receptionists() -> list[tuple]:
            return [("", receptionist.empty_label)] + [
                (u.pk, receptionist.label_from_instance(u)) for u in people
            ]

        receptionist.choices = receptionists
