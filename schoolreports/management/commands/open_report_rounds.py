"""Open the current week's or month's round of every repeating school report that lacks it (run daily)."""

from django.core.management.base import BaseCommand

from schoolreports.services import open_due_rounds


class Command(BaseCommand):
    help = "Open the current period's round of every active repeating school report (a repeat opens none)."

    def handle(self, *args, **options):
        for round_ in open_due_rounds():
            self.stdout.write(f"{round_.pk}\t{round_.title}\t{round_.deadline.isoformat()}")
