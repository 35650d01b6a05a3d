"""The guest's forms (the invitation page, the kiosk) and the desk's scan form. The visitor
rows are the staff form's (same rules, same messages) with what the guest adds."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.validators import TextRulesMixin

from ..models import ArrivalMode, BadgeFormat, IdType
from .requests import MAX_VISITOR_ROWS, BaseVisitorFormSet, VisitorForm


class GuestVisitorForm(VisitorForm):
    id_type = forms.ChoiceField(
        label=_("ID type"), choices=[("", "—"), *IdType.choices], required=False
    )
    car_plate = forms.CharField(label=_("Car plate"), max_length=20, required=False)
    arrival_mode = forms.ChoiceField(
        label=_("Arriving by"), choices=[("", "—"), *ArrivalMode.choices], required=False
    )
    arrival_number = forms.CharField(label=_("Train or flight"), max_length=30, required=False)
    arrival_time = forms.DateTimeField(
        label=_("Arrival time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    dietary = forms.CharField(label=_("Dietary needs"), max_length=200, required=False)

    field_order = [
        "id",
        "name",
        "title",
        "phone",
        "id_type",
        "id_number",
        "car_plate",
        "arrival_mode",
        "arrival_number",
        "arrival_time",
        "dietary",
        "notes",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].label = _("Mobile")
        self.fields["phone"].widget.attrs.update(inputmode="tel", autocomplete="tel")
        self.fields.pop("notes")
        style_fields(self)


def style_fields(form: forms.Form) -> None:
    """Bootstrap's classes on a form laid out by hand (the guest's pages, the kiosk)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.Select):
            css = "form-select"
        else:
            css = "form-control"
        widget.attrs["class"] = css


GuestVisitorFormSet = forms.formset_factory(
    GuestVisitorForm,
    formset=BaseVisitorFormSet,
    extra=1,
    can_delete=True,
    max_num=MAX_VISITOR_ROWS,
    validate_max=True,
    absolute_max=MAX_VISITOR_ROWS,
)


class GuestNameForm(TextRulesMixin, forms.Form):
    guest_name = forms.CharField(label=_("Your name"), max_length=100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class AcceptForm(TextRulesMixin, forms.Form):
    visitor = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Type your name to accept"), max_length=100)


class PassCodeForm(TextRulesMixin, forms.Form):
    code = forms.CharField(
        label=_("Pass code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        style_fields(self)


class KioskForm(PassCodeForm):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


class KioskAcceptForm(KioskForm):
    """The texts accepted at the kiosk: the pass (kept from the check-in try), the box and
    the typed name."""

    accept = forms.BooleanField(label=_("I have read and accept these texts"))
    name = forms.CharField(label=_("Your name"), max_length=100)


class InviteForm(TextRulesMixin, forms.Form):
    email = forms.EmailField(label=_("Contact's email"), required=False)


class BadgeForm(TextRulesMixin, forms.Form):
    size = forms.ModelChoiceField(
        BadgeFormat.objects.all(), to_field_name="code", required=False, empty_label=None
    )
