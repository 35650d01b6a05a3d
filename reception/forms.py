import logging

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.forms import inlineformset_factory
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from . import throttle
from .http import client_ip
from .models import Client, ClientContact
from .selectors import account_owner_candidates
from .validators import TextRulesMixin, normalize_name

logger = logging.getLogger(__name__)


class ClientForm(TextRulesMixin, forms.ModelForm):
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
            "cooperation_status",
            "notes",
        ]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        owner = self.fields["account_owner"]
        owner.queryset = account_owner_candidates()
        if not user.has_perm("reception.change_any_client"):
            # Sales and project engineers own what they create and keep what they own.
            owner.disabled = True
            owner.help_text = _("You are the account owner of clients you create.")
            if not self.instance.pk:
                self.initial["account_owner"] = user.pk

    def clean_name(self):
        return normalize_name(self.cleaned_data["name"])


class ContactForm(TextRulesMixin, forms.ModelForm):
    class Meta:
        model = ClientContact
        fields = ["name", "title", "phone", "email"]


ContactFormSet = inlineformset_factory(
    Client,
    ClientContact,
    form=ContactForm,
    fields=["name", "title", "phone", "email"],
    extra=1,
    can_delete=True,
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
