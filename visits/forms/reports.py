"""The reports' period and the visitor log's date range (both within 2000–2100)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.validators import TextRulesMixin, date_window_validator

from ..reports import Period

DATE = forms.DateInput(attrs={"type": "date"})


class PeriodForm(TextRulesMixin, forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=DATE, validators=[date_window_validator]
    )
    end = forms.DateField(
        label=_("Until"), required=False, widget=DATE, validators=[date_window_validator]
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period comes before its start."))
        return data

    def period(self) -> Period:
        """The chosen period; missing ends (or an invalid form) fall back to the default."""
        default = Period.default()
        if not self.is_bound or not self.is_valid():
            return default
        start = self.cleaned_data.get("start") or default.start
        end = self.cleaned_data.get("end") or default.end
        if end < start:
            return default
        return Period(start, end)
