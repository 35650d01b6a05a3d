"""A preparation task's note when it is ticked off."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.validators import TextRulesMixin


class TaskNoteForm(TextRulesMixin, forms.Form):
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
