from django import forms
from django.utils.translation import gettext_lazy as _

from reception.models import ReceptionGrade
from reception.validators import TextRulesMixin

from .models import ApprovalStep, StepState


def current_grade_choices() -> list[tuple[int, str]]:
    return [(g.pk, g.label) for g in ReceptionGrade.objects.current()]


class DecisionForm(TextRulesMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (StepState.APPROVED, _("Approve")),
            (StepState.RETURNED, _("Return")),
            (StepState.REJECTED, _("Reject")),
        ],
        widget=forms.HiddenInput,
    )
    grade = forms.TypedChoiceField(label=_("Grade"), coerce=int, required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to return or reject."),
    )

    def __init__(self, *args, step: ApprovalStep, grade_choices=None, **kwargs):
        """grade_choices: [(pk, label)] of the current grades; a page with many forms
        passes it once instead of querying per form."""
        kwargs.setdefault("prefix", f"step{step.pk}")
        super().__init__(*args, **kwargs)
        self.step = step
        if step.grades_visit:
            if grade_choices is None:
                grade_choices = current_grade_choices()
            self.fields["grade"].choices = grade_choices
            self.fields["grade"].required = True
            self.fields["grade"].initial = step.visit.grade.pk if step.visit.grade else None
            self.fields["grade"].help_text = _(
                "A different grade re-routes the request to that grade's approvers."
            )
        else:
            del self.fields["grade"]

    def clean_grade(self):
        pk = self.cleaned_data.get("grade")
        return ReceptionGrade.objects.current().get(pk=pk) if pk else None

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (StepState.RETURNED, StepState.REJECTED)
            and not (data.get("comment") or "").strip()
        ):
            self.add_error("comment", _("Say why in a comment: returning or rejecting needs one."))
        return data
