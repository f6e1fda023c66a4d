"""The tallies (training.tallies) hear what changes their numbers: the board's notifications, confirmations
and readiness tests."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from attendance import live
from bridges.signals import written
from events.models import Invitation, ReadinessTest
from events.services.invitations import invited

from . import tallies


@receiver(live.changed, dispatch_uid="training.tallies_from_board")
def board_changed(sender, event_id, bridge_ids, homes=(), **kwargs):
    # In a check-in batch's transaction: after its commit, one UPDATE of the rows of the batch's bridges and of
    # the own bridges of those who checked in elsewhere.
    tallies.mark(event_id, bridge_ids, homes=homes, new_rows=False)


@receiver(post_save, sender=Invitation, dispatch_uid="training.tallies_invitation")
@receiver(post_delete, sender=Invitation, dispatch_uid="training.tallies_invitation_gone")
def invitation_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        tallies.mark(instance.event_id, [instance.bridge_id])


@receiver(post_save, sender=ReadinessTest, dispatch_uid="training.tallies_readiness")
def readiness_tested(sender, instance, raw=False, **kwargs):
    if not raw:
        invitation = Invitation.objects.filter(pk=instance.invitation_id).values_list("event_id", "bridge_id").first()
        if invitation:
            tallies.mark(invitation[0], [invitation[1]])


@receiver(written, dispatch_uid="training.tallies_bulk_bridges")
def bridges_written(sender, bridge_ids, **kwargs):
    # An import's bulk writes: the rows of those bridges in every event, after its commit.
    tallies.mark_bridges(bridge_ids)


@receiver(invited, dispatch_uid="training.tallies_bulk_invitations")
def bridges_invited(sender, event_id, bridge_ids, **kwargs):
    # New rows are needed: the whole event is marked (counted in the job worker while it is under way).
    tallies.mark(event_id)
