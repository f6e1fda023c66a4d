from django.core.management.base import BaseCommand, CommandError

from events.models import Event
from training import services
from training.errors import TrainingError


class Command(BaseCommand):
    help = ("Issue certificates to everyone eligible for a training who has none yet (safe to repeat). "
            "Prints the eligible / issued / skipped counts.")

    def add_arguments(self, parser):
        parser.add_argument("event_id", type=int)
        parser.add_argument("--dry-run", action="store_true", help="Count only; issue nothing.")

    def handle(self, *args, event_id, dry_run=False, **options):
        event = Event.objects.filter(pk=event_id).first()
        if event is None:
            raise CommandError(f"No event with id {event_id}.")
        try:
            result = services.issue_certificates(event, dry_run=dry_run)
        except TrainingError as exc:
            raise CommandError(exc.user_message) from exc
        prefix = "dry run: " if dry_run else ""
        self.stdout.write(f"{prefix}eligible={result.eligible} issued={result.issued} skipped={result.skipped}")
