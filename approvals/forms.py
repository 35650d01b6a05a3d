from django import forms
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reception.models import ReceptionGrade, User
from reception.validators import TextRulesMixin

from .models import ApprovalStep, Delegation, StepState


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
            self.fields["grade"].choices = grade_choices  # type: ignore[attr-defined]
            self.fields["grade"].required = True
            grade = step.subject.grade
            self.fields["grade"].initial = grade.pk if grade else None
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


class AdministratorDecisionForm(DecisionForm):
    """An administrator decides in place of the approvers: the reason is required."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].label = _("Reason")
        self.fields["comment"].required = True
        self.fields["comment"].help_text = _(
            "Required: why an administrator decides instead of the approvers. It is shown on "
            "the request's timeline."
        )


def delegate_candidates(user):
    """Active people who decide approval steps (they hold a role with the queue), not `user`."""
    perm = Permission.objects.get(content_type__app_label="approvals", codename="view_approvalstep")
    deciders = Q(groups__permissions=perm) | Q(user_permissions=perm) | Q(is_superuser=True)
    return (
        User.objects.filter(pk__in=User.objects.filter(deciders, is_active=True).values("pk"))
        .exclude(pk=user.pk)
        .order_by("full_name", "username")
    )


class DelegateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


class DelegationForm(TextRulesMixin, forms.ModelForm):
    delegate = DelegateChoiceField(label=_("Delegate"), queryset=User.objects.none())

    class Meta:
        model = Delegation
        fields = ["delegate", "starts_on", "ends_on", "note"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, approver, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.approver = approver
        self.fields["delegate"].queryset = delegate_candidates(approver)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The absence cannot end before it starts."))
        if ends and ends < timezone.localdate():
            self.add_error("ends_on", _("The absence is already over."))
        return data
