"""What makes an event one with a training: its kind, or a session that counts toward completion (a
launch ceremony followed by the province's training is one event). The tab, the trainings list and the
home page ask here, so a ceremony's training is reachable from its event."""

from django.db.models import Exists, OuterRef, Q

from .models import Event, Session


def training_q() -> Q:
    counted = Session.objects.filter(event=OuterRef("pk"), counts_for_completion=True)
    return Q(kind=Event.Kind.TRAINING) | Q(Exists(counted))


def has_training(event: Event) -> bool:
    return event.kind == Event.Kind.TRAINING or event.sessions.filter(counts_for_completion=True).exists()
