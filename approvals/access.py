"""A delegation changes what its delegate may see and decide: their next request reads it
again (reception/accounts/access.py keeps a user's access between requests under access_version)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from reception.accounts import access

from .models import Delegation


@receiver(post_save, sender=Delegation)
@receiver(post_delete, sender=Delegation)
def _delegation_changed(sender, instance, **kwargs):
    access.bump([instance.delegate_id, instance.approver_id])
