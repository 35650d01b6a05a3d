"""The work summary's two parts (with their follow-up actions), and HR's waiver."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.models import User
from reception.validators import TextRulesMixin

from ..models import VisitSummary
from .itinerary import staff_choices
from .requests import StaffChoiceField

FOLLOW_UP_ROWS = 3


class SummaryForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = VisitSummary
        fields = ["outcome", "lessons", "improvements"]
        widgets = {
            "outcome": forms.Textarea(attrs={"rows": 3}),
            "lessons": forms.Textarea(attrs={"rows": 3}),
            "improvements": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_outcome(self):
        outcome = (self.cleaned_data.get("outcome") or "").strip()
        if not outcome:
            raise forms.ValidationError(_("Say what came of the visit."))
        return outcome


class FollowUpForm(TextRulesMixin, forms.Form):
    description = forms.CharField(label=_("Follow-up action"), max_length=500, required=False)
    owner = StaffChoiceField(label=_("Owner"), queryset=User.objects.none(), required=False)
    due_on = forms.DateField(
        label=_("Due on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = User.objects.filter(is_active=True)
        if choices is not None:
            field.choices = choices

    def clean(self):
        data = super().clean()
        filled = [bool(data.get(k)) for k in ("description", "owner", "due_on")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(
                _("A follow-up action needs what, who and by when."), code="incomplete"
            )
        return data


class BaseFollowUpFormSet(forms.BaseFormSet):
    def __init__(self, *args, **kwargs):
        self.owner_choices = staff_choices()
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "choices": self.owner_choices}

    def actions(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data.get("description")]


FollowUpFormSet = forms.formset_factory(
    FollowUpForm, formset=BaseFollowUpFormSet, extra=FOLLOW_UP_ROWS, max_num=20, absolute_max=20
)


class WaiveForm(TextRulesMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why the department's part is waived"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
