"""django-axes' app under a name of ours. Its own module: reception/apps.py must hold one app
config only, or Django no longer finds reception's."""

from axes.apps import AppConfig as AxesAppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AxesAppConfig):
    """django-axes under a name of ours: its own ("Axes") is not translatable. Its other
    strings, for which it ships no Chinese, are in our catalogue (reception/admin_messages.py)."""

    verbose_name = _("Log-in attempts")
