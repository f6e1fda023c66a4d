"""Count the report tallies (training.tallies) of every event again, or of the events named: after an
import, a seed, or anything written without the services."""

from django.core.management.base import BaseCommand

from events.models import Event
from training import tallies


class Command(BaseCommand):
    help = "Rebuild the read model of the reports' numbers (per event and bridge)."

    def add_arguments(self, parser):
        parser.add_argument("event_ids", nargs="*", type=int, help="events to rebuild (default: all)")

    def handle(self, *args, event_ids, **options):
        events = Event.objects.all() if not event_ids else Event.objects.filter(pk__in=event_ids)
        for event in events.order_by("pk"):
            n = tallies.rebuild(event)
            self.stdout.write(f"{event.pk}: {n} bridges")
