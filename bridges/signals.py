"""An account's role saved or deleted closes its open websockets (core.revocation): a board opened under the
old role is judged again when the page reconnects."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from core import revocation

from .models import Role

# Bridges or rosters written in bulk (an import: bulk_create and bulk_update send no post_save), sent in the
# writer's transaction with bridge_ids (the bridges written, or whose roster was). Read models listen
# (training.tallies marks those bridges' rows).
written = Signal()


@receiver(post_save, sender=Role, dispatch_uid="bridges.role_saved")
def _role_saved(sender, instance: Role, **kwargs):
    revocation.revoke_user(instance.user_id, "role_changed")


@receiver(post_delete, sender=Role, dispatch_uid="bridges.role_deleted")
def _role_deleted(sender, instance: Role, **kwargs):
    revocation.revoke_user(instance.user_id, "role_removed")
