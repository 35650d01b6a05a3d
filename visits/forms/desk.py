"""Forms of the desk visit page: a visitor added at the desk, the receptionist's arrangements."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.models import phone_validator
from reception.validators import TextRulesMixin

from ..models import VisitRequest


class AddVisitorForm(TextRulesMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    title = forms.CharField(label=_("Title"), max_length=100, required=False)
    phone = forms.CharField(
        label=_("Phone"), max_length=30, required=False, validators=[phone_validator]
    )


class ArrangementsForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = VisitRequest
        # the pick-up car and driver are the office's: recorded on its car task, shown here
        fields = ["meeting_room", "banner_text", "banner_text_en"]
