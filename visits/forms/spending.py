"""One expense line after the visit, and the approver's decision on a line over the standard."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.validators import TextRulesMixin

from ..models import ExpenseCategory, ExpenseLine


class ExpenseLineForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = ExpenseLine
        fields = ["category", "occasion", "quantity", "people", "amount", "note", "justification"]
        widgets = {"justification": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("category") == ExpenseCategory.MEAL and not data.get("people"):
            self.add_error("people", _("Say how many people were at the meal."))
        return data


class ExpenseDecisionForm(TextRulesMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    note = forms.CharField(label=_("Note"), max_length=500, required=False)
