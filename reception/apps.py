from django.apps import AppConfig, apps
from django.conf import settings
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, using="default", **kwargs):
    # local: apps.py is imported before the app registry is ready; models load here
    from django.contrib.auth.management import create_permissions

    from .policy.services import ensure_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    ensure_roles()


class ReceptionConfig(AppConfig):
    name = "reception"
    verbose_name = _("Reception organisation and policy")

    def ready(self):
        from .accounts import access, signals  # noqa: F401

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="jiedai-sync-roles")
        if settings.LDAP_SERVER_URI:
            # local: django-auth-ldap is installed only where directory login is used
            from django_auth_ldap.backend import populate_user

            from .accounts.directory import on_populate_user

            populate_user.connect(on_populate_user, dispatch_uid="jiedai-directory-roles")
