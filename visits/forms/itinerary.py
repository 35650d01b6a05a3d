"""The itinerary editor's rows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.models import MeetingRoom, Site, User
from reception.validators import TextRulesMixin

from ..models import ProcedureStep, VisitRequest
from .requests import DATETIME_INPUT, StaffChoiceField


class ItineraryItemForm(TextRulesMixin, forms.Form):
    step = forms.ChoiceField(label=_("Procedure step"), choices=ProcedureStep.choices)
    starts_at = forms.DateTimeField(
        label=_("Time"), widget=DATETIME_INPUT, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    title = forms.CharField(label=_("What"), max_length=200, required=False)
    # The sites' meeting rooms are offered (the page's one <datalist>); any place may be typed.
    place = forms.CharField(
        label=_("Place"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "itinerary-rooms"}),
    )
    # Only with several sites: where this item takes place (a tour across sites); empty, the
    # visit's own site.
    site = forms.TypedChoiceField(label=_("Site"), required=False, empty_value=None)
    responsible = StaffChoiceField(
        label=_("Responsible"), queryset=User.objects.none(), required=False
    )
    notes = forms.CharField(label=_("Notes"), max_length=300, required=False)

    def __init__(self, *args, staff_choices=None, sites=None, **kwargs):
        super().__init__(*args, **kwargs)
        if sites and len(sites) > 1:
            by_code = {s.code: s for s in sites}
            self.fields["site"].choices = [
                ("", _("The visit's site")),
                *((s.code, s.label) for s in sites),
            ]
            self.fields["site"].coerce = by_code.get
        else:
            del self.fields["site"]
        field = self.fields["responsible"]
        field.queryset = User.objects.filter(is_active=True)
        if staff_choices is not None:  # rendered once for the whole formset
            field.choices = staff_choices


def staff_choices() -> list[tuple]:
    staff = User.objects.filter(is_active=True).order_by("full_name", "username")
    return [("", "---------"), *((u.pk, u.get_full_name()) for u in staff)]


class BaseItineraryFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        self.staff_choices = staff_choices()
        self.sites = list(Site.objects.all())
        super().__init__(*args, **kwargs)

    def rooms(self) -> list[MeetingRoom]:
        """The active meeting rooms of every site, for the place's suggestions."""
        return list(MeetingRoom.objects.filter(is_active=True).select_related("site"))

    @property
    def several_sites(self) -> bool:
        return len(self.sites) > 1

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "staff_choices": self.staff_choices,
            "sites": self.sites,
        }

    def rows(self) -> list[dict]:
        fields = ("step", "starts_at", "title", "place", "site", "responsible", "notes")
        return [
            {
                name: form.cleaned_data.get(name)
                or ("" if name not in ("responsible", "site") else None)
                for name in fields
            }
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


# absolute_max: a posted TOTAL_FORMS of a million builds (and shows again) 60 forms, not Django's
# default of max_num + 1,000 — a second of rendering for one request.
ItineraryFormSet = forms.formset_factory(
    ItineraryItemForm,
    formset=BaseItineraryFormSet,
    extra=1,
    can_delete=True,
    max_num=60,
    absolute_max=60,
)


def itinerary_initial(visit: VisitRequest) -> list[dict]:
    return [
        {
            "step": item.step,
            "starts_at": item.starts_at,
            "title": item.title,
            "place": item.place,
            "site": item.site.code if item.site else "",
            "responsible": item.responsible_id,
            "notes": item.notes,
        }
        for item in visit.itinerary.select_related("site")
    ]
