"""The gate's record of an unannounced visitor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.forms import LookAlikeClientMixin
from reception.models import User
from reception.validators import TextRulesMixin

from ..models import MAX_HEADCOUNT, WalkIn
from ..services import walk_ins
from .requests import StaffChoiceField


class WalkInForm(TextRulesMixin, LookAlikeClientMixin, forms.ModelForm):
    company_field = "company"

    wants_to_see = StaffChoiceField(
        label=_("Wants to see"),
        queryset=User.objects.none(),
        help_text=_("If they do not know, choose the marketing head's assistant (preselected)."),
    )

    class Meta:
        model = WalkIn
        fields = ["company", "names", "headcount", "phone", "wants_to_see", "purpose"]
        widgets = {
            "company": forms.TextInput(attrs={"autofocus": True, "list": "client-names"}),
            "names": forms.TextInput(attrs={"placeholder": _("e.g. 王强、李明")}),
        }
        help_texts = {"names": _("Separate several names with commas.")}

    def __init__(self, *args, by: User | None = None, **kwargs):
        """by: who records it; they cannot name themselves."""
        super().__init__(*args, **kwargs)
        staff = walk_ins.hosts()
        if by is not None:
            staff = staff.exclude(pk=by.pk)
        self.fields["wants_to_see"].queryset = staff  # type: ignore[attr-defined]
        self.fields["headcount"].widget.attrs.update({"min": 1, "max": MAX_HEADCOUNT})
