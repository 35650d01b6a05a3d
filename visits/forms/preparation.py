"""A preparation task's note when it is ticked off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.validators import TextRulesMixin


class TaskNoteForm(TextRulesMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
    # asked only on the task that arranges the car (its standard is the car class): what the
    # office records here is the visit's pick-up, shown on the arrivals board
    car = forms.CharField(label=_("Pick-up car"), max_length=100, required=False)
    driver = forms.CharField(label=_("Driver"), max_length=100, required=False)
