"""The gate's forms: an arrival of one kind (only that kind's fields), the watch list, a
security decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.models import Department, Site, User, phone_validator
from reception.organisation.selectors import with_departments
from reception.validators import TextRulesMixin

from ..models import MAX_HEADCOUNT, ArrivalKind, WatchEntryKind
from ..services import arrivals, walk_ins
from .walk_ins import HostChoiceField
from .widgets import SearchedSelect


def _date_input():
    return forms.DateInput(attrs={"type": "date"})


# Each field a kind may ask (ArrivalKind.fields picks from these codes).
KIND_FIELDS = {
    "company": lambda: forms.CharField(label=_("Company or authority"), max_length=150),
    "carrier": lambda: forms.CharField(label=_("Carrier"), max_length=150),
    "plate": lambda: forms.CharField(label=_("Number plate"), max_length=20, required=False),
    "goods": lambda: forms.CharField(label=_("What (goods, delivery note)"), max_length=200),
    "work_order": lambda: forms.CharField(label=_("Work order"), max_length=60),
    "area": lambda: forms.CharField(label=_("Work area"), max_length=150),
    "permit_number": lambda: forms.CharField(label=_("Work permit number"), max_length=60),
    "permit_valid_until": lambda: forms.DateField(
        label=_("Permit valid until"), widget=_date_input()
    ),
    "position": lambda: forms.CharField(label=_("Position applied for"), max_length=100),
    "office": lambda: forms.CharField(label=_("Office or title"), max_length=100, required=False),
    "purpose": lambda: forms.CharField(label=_("Purpose"), max_length=300),
}


class ArrivalForm(TextRulesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(
        label=_("Mobile"), max_length=30, required=False, validators=[phone_validator]
    )
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_("Optional; checked against the watch list, never stored."),
    )
    headcount = forms.IntegerField(
        label=_("Number of people"), min_value=1, max_value=MAX_HEADCOUNT, initial=1
    )

    def __init__(self, *args, kind: ArrivalKind, by: User, sites: list[Site], **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["phone"].widget.attrs["inputmode"] = "tel"
        for code in kind.fields or []:
            if code in KIND_FIELDS:
                self.fields[code] = KIND_FIELDS[code]()
        if kind.asks_host:
            field = HostChoiceField(
                label=_("Interviewer") if kind.code == "interview" else _("Sees"),
                queryset=with_departments(walk_ins.hosts().exclude(pk=by.pk)),
                widget=SearchedSelect("visits:host_options"),
                help_text=_("Type a name, its pinyin (zhangwei or zw) or a department."),
            )
            self.fields["host"] = field
        if kind.asks_department:
            self.fields["department"] = forms.ModelChoiceField(
                label=_("Receiving department"), queryset=Department.objects.order_by("code")
            )
        self.safety_notice = arrivals.safety_notice(kind)
        if self.safety_notice is not None:  # the contractor accepts the safety rules in force
            notice = self.safety_notice
            self.fields["safety_accepted"] = forms.BooleanField(
                label=_("Accepts %(text)s (version %(version)s)")
                % {"text": notice.label, "version": notice.version},
                help_text=notice.localized_body,
            )
            self.fields["safety_name"] = forms.CharField(
                label=_("Accepted as (typed name)"), max_length=100
            )
        if len(sites) > 1:
            self.fields["site"] = forms.ModelChoiceField(
                label=_("Site"),
                queryset=Site.objects.filter(pk__in=[s.pk for s in sites]),
            )

    def details(self) -> dict:
        return {
            code: self.cleaned_data.get(code)
            for code in (self.kind.fields or [])
            if code in KIND_FIELDS and code != "company"
        }


class WatchEntryForm(TextRulesMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WatchEntryKind.choices)
    name = forms.CharField(label=_("Name"), max_length=150)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=30,
        required=False,
        help_text=_("Stored only as a keyed hash; empty keeps the one stored."),
    )
    mobile = forms.CharField(label=_("Mobile"), max_length=30, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea({"rows": 2}))
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class DecisionForm(TextRulesMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
