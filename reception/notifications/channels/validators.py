from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_webhook_url(url: str, platform: str) -> None:
    """A robot's webhook must be https on one of the platform's hosts (settings)."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise ValidationError({"webhook_url": _("The address must start with https://.")})
    allowed = settings.CHANNEL_WEBHOOK_HOSTS.get(platform, ())
    if (parts.hostname or "").lower() not in allowed:
        raise ValidationError(
            {
                "webhook_url": _("The address must be on %(hosts)s.")
                % {"hosts": ", ".join(allowed) or "-"}
            }
        )
