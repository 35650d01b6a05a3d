"""The work summary that closes a visit."""

from django import forms

from reception.validators import TextRulesMixin

from ..models import VisitSummary


class SummaryForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = VisitSummary
        fields = ["outcome", "lessons", "improvements", "expenses"]
        widgets = {
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
            "improvements": forms.Textarea(attrs={"rows": 3}),
        }
