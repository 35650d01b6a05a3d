"""The gate's record of an unannounced visitor."""

from django import forms
from django.utils.translation import gettext_lazy as _

from reception.forms import LookAlikeClientMixin
from reception.models import Site, User
from reception.organisation.selectors import staff_label, with_departments
from reception.validators import TextRulesMixin

from ..models import MAX_HEADCOUNT, WalkIn
from ..services import walk_ins
from .widgets import SearchedSelect


class HostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return staff_label(obj)


class WalkInForm(TextRulesMixin, LookAlikeClientMixin, forms.ModelForm):
    company_field = "company"

    # Searched on the server (a plant has hundreds of people): by name, pinyin, department,
    # title or role; the page holds only the chosen person.
    wants_to_see = HostChoiceField(
        label=_("Wants to see"),
        queryset=User.objects.none(),
        widget=SearchedSelect("visits:host_options"),
        help_text=_(
            "Type a name, its pinyin (zhangwei or zw), a department or a role. If they do not "
            "know, choose the marketing head's assistant (preselected)."
        ),
    )

    class Meta:
        model = WalkIn
        fields = ["company", "names", "headcount", "phone", "wants_to_see", "purpose"]
        widgets = {
            "company": forms.TextInput(attrs={"autofocus": True, "list": "client-names"}),
            "names": forms.TextInput(attrs={"placeholder": _("e.g. 王强、李明")}),
        }
        help_texts = {"names": _("Separate several names with commas.")}

    site = forms.ModelChoiceField(
        label=_("Site"),
        queryset=Site.objects.none(),
        required=False,
        help_text=_("The gate where they wait: that site's desk receives them."),
    )

    def __init__(
        self,
        *args,
        by: User | None = None,
        sites: list[Site] | None = None,
        site: Site | None = None,
        **kwargs,
    ):
        """by: who records it; they cannot name themselves. sites: the open sites in the
        recorder's reach (asked only when there are several); site: the one preselected."""
        super().__init__(*args, **kwargs)
        reach = [s for s in sites or [] if s.is_active]
        if len(reach) > 1:
            field = self.fields["site"]
            field.queryset = Site.objects.filter(pk__in=[s.pk for s in reach])  # type: ignore[attr-defined]
            field.required = True
            field.initial = site.pk if site else None
        else:
            del self.fields["site"]
        self.field_order = ["site"]
        self.order_fields(self.field_order)
        staff = walk_ins.hosts()
        if by is not None:
            staff = staff.exclude(pk=by.pk)
        self.fields["wants_to_see"].queryset = with_departments(staff)  # type: ignore[attr-defined]
        self.fields["headcount"].widget.attrs.update({"min": 1, "max": MAX_HEADCOUNT})
