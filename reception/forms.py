import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.forms import inlineformset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .accounts import throttle
from .http import client_ip
from .models import Client, ClientContact
from .organisation.selectors import account_owner_candidates, project_engineer_candidates
from .validators import TextRulesMixin, name_stem, normalize_name

logger = logging.getLogger(__name__)


class LookAlikeClientMixin:
    """For a form that names a client company in `company_field`: a name that differs from an
    existing client's only by a bracketed part (远航汽车（苏州）有限公司 beside 远航汽车有限公司)
    may be that client or another branch of it. The form asks once, "Did you mean …?", with a
    box to tick when it is another company; `look_alike` is the client it found. (Names that
    mean the same company — width, Traditional characters, a full stop, a legal-form suffix —
    are refused by Client.clean, or taken as that client where a form records a company.)"""

    company_field = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.look_alike = None
        self.fields["different_company"] = forms.BooleanField(
            label=_("It is a different company"), required=False, widget=forms.HiddenInput
        )
        order = [f for f in self.fields if f != "different_company"]
        order.insert(order.index(self.company_field) + 1, "different_company")
        self.order_fields(order)

    def unchanged_client(self) -> Client | None:
        """The client being edited, whose own look-alikes were accepted when it was saved."""
        return None

    def clean(self):
        data = super().clean()
        name = data.get(self.company_field)
        # Only the answer to the question, not a field of what the form records.
        if not name or data.pop("different_company", False):
            return data
        candidate = Client(name=normalize_name(name))
        editing = self.unchanged_client()
        if editing is not None:
            candidate.pk = editing.pk
            if name_stem(candidate.name) == editing.name_stem:
                return data
        if candidate.similar_client() is not None:
            return data  # the same company: Client.clean says so, or it is taken as that one
        if Client.objects.filter(name__iexact=candidate.name).exclude(pk=candidate.pk).exists():
            return data
        found = candidate.look_alike_client()
        if found is not None:
            self.look_alike = found
            self.fields["different_company"].widget = forms.CheckboxInput()
            self.add_error(
                self.company_field,
                forms.ValidationError(
                    _(
                        "A client named “%(name)s” exists already. Did you mean it? If this is "
                        "another company (another branch, for example), tick “It is a different "
                        "company” and save again."
                    ),
                    code="look_alike",
                    params={"name": found.name},
                ),
            )
        return data


class ClientForm(TextRulesMixin, LookAlikeClientMixin, forms.ModelForm):
    class Meta:
        model = Client
        fields = [
            "name",
            "name_en",
            "category",
            "industry",
            "scale",
            "referred_by",
            "account_owner",
            "project_engineer",
            "cooperation_status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        owner = self.fields["account_owner"]
        owner.queryset = account_owner_candidates()
        self.fields["project_engineer"].queryset = project_engineer_candidates()
        if not user.has_perm("reception.change_any_client"):
            # Sales and project engineers own what they create and keep what they own.
            owner.disabled = True
            owner.help_text = _("You are the account owner of clients you create.")
            if not self.instance.pk:
                self.initial["account_owner"] = user.pk

    def clean_name(self):
        return normalize_name(self.cleaned_data["name"])

    def unchanged_client(self) -> Client | None:
        return self.instance if self.instance.pk else None


class ContactForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ["name", "title", "phone", "email"]


# max_num and absolute_max: a posted TOTAL_FORMS of a million builds (and shows again) at most
# 200 forms, not Django's 2,000. A form of DATA_UPLOAD_MAX_NUMBER_FIELDS (1,000) fields holds
# fewer contacts than that anyway.
ContactFormSet = inlineformset_factory(
    Client,
    ClientContact,
    form=ContactForm,
    fields=["name", "title", "phone", "email"],
    extra=1,
    can_delete=True,
    max_num=200,
    absolute_max=200,
)


class LocalisedPasswordResetForm(PasswordResetForm):
    """Django's reset form; the email is in the user's language and links to SITE_URL.

    Throttled: at most one email per account every PASSWORD_RESET_ACCOUNT_MINUTES, and at
    most PASSWORD_RESET_PER_ADDRESS_HOUR requests per client address an hour. Past either
    limit nothing is sent, and the page answers as always, so it tells no one whether an
    account exists or was throttled."""

    def save(self, *args, request=None, **kwargs):
        address = client_ip(request) if request is not None else None
        per_hour = settings.PASSWORD_RESET_PER_ADDRESS_HOUR
        if address and not throttle.within(
            f"reset-address:{address}", limit=per_hour, seconds=3600
        ):
            logger.warning(
                "Password reset refused: over %s requests an hour from %s", per_hour, address
            )
            return
        super().save(*args, request=request, **kwargs)

    def get_users(self, email):
        seconds = int(settings.PASSWORD_RESET_ACCOUNT_MINUTES * 60)
        for user in super().get_users(email):
            if throttle.within(f"reset-account:{user.pk}", limit=1, seconds=seconds):
                yield user
            else:
                logger.info(
                    "Password reset email to user %s held back: one was sent lately", user.pk
                )

    def send_mail(self, subject_template_name, email_template_name, context, *args, **kwargs):
        context["site_url"] = settings.SITE_URL.rstrip("/")
        with translation.override(context["user"].preferred_language):
            super().send_mail(subject_template_name, email_template_name, context, *args, **kwargs)
