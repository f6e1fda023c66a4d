from django.core.management.base import BaseCommand, CommandError

from attendance.services import idempotency


class Command(BaseCommand):
    help = ("Forget the stored first answers to client nonces (retried check-ins and console writes) older "
            "than --days days. Check-ins and their attempts are kept. Run it from cron, e.g. weekly.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=idempotency.KEEP_DAYS,
                            help=f"keep answers younger than this (default {idempotency.KEEP_DAYS})")

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be at least 1: a console may still be resending today's writes.")
        deleted = idempotency.purge(days)
        self.stdout.write(f"{deleted} stored answers older than {days} days removed.")
