import asyncio

from django.core.management.base import BaseCommand, CommandError

from demo import simulation
from demo.accounts import DEMO_PASSWORD
from demo.events import TITLE
from events.models import Event


class Command(BaseCommand):
    help = (
        "Play a realistic event day against the running server on this machine: consoles connect over "
        "websockets (some drop out and come back), bridges check in with headcounts, an organizer opens three "
        "roll calls and teachers check in through the real teacher endpoint. Watch the live board meanwhile. "
        "Stops by itself."
    )

    def add_arguments(self, parser):
        parser.add_argument("event_id", type=int, nargs="?",
                            help="The event (default: the demo launch ceremony of `make demo`).")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The running server (loopback only).")
        parser.add_argument("--speed", type=float, default=10.0,
                            help="How many times faster than real life (default 10: a plan of six minutes, about ten on a "
                                 "2-core machine where the roll-call rushes outrun the server).")
        parser.add_argument("--user", default="tochuc", help="An organizer account (default: the demo organizer).")
        parser.add_argument("--password", default=None, help="Its password (default: the demo password).")
        parser.add_argument("--teachers", type=float, default=1.0, help="Share of teachers who check in (0-1].")
        parser.add_argument("--bridges", type=int, default=None, help="Play only the first N invited bridges.")
        parser.add_argument("--drop", type=float, default=0.1, help="Share of consoles that drop out and return.")
        parser.add_argument("--seed", type=int, default=2022)
        parser.add_argument("--max-minutes", type=float, default=30.0, help="Stop after this long whatever happens.")

    def handle(self, *args, event_id, url, speed, user, password, teachers, bridges, drop, seed, max_minutes,
               **options):
        if not 0 < speed <= 1000:
            raise CommandError("--speed must be between 0 and 1000.")
        if not 0 < teachers <= 1 or not 0 <= drop <= 1:
            raise CommandError("--teachers must be in (0, 1] and --drop in [0, 1].")
        try:
            simulation.check_loopback(url)
        except simulation.SimulationError as exc:
            raise CommandError(str(exc)) from exc
        if event_id is None:
            event = Event.objects.filter(title=TITLE).order_by("pk").first()
            if event is None:
                raise CommandError("Give an EVENT_ID (there is no demo event: run `manage.py seed_demo` first).")
        else:
            event = Event.objects.filter(pk=event_id).first()
            if event is None:
                raise CommandError(f"No event {event_id}.")
        if password is None:
            password = DEMO_PASSWORD
        try:
            plan = simulation.make_plan(event, seed=seed, teacher_share=teachers, drop_share=drop, max_bridges=bridges)
            driver = simulation.Driver(plan, base_url=url, username=user, password=password, speed=speed,
                                       max_seconds=max_minutes * 60, out=self.stdout.write)
            self.stdout.write(f"Board: {url.rstrip('/')}/attendance/events/{event.pk}/board/")
            counters = asyncio.run(driver.run())
        except simulation.SimulationError as exc:
            raise CommandError(str(exc)) from exc
        except OSError as exc:
            raise CommandError(f"Cannot reach the server at {url}: {exc}. Start it first (make demo).") from exc
        self.stdout.write(self.style.SUCCESS(
            f"Simulated day over: {counters.connects} console connections ({counters.drops} drop-outs), "
            f"{counters.checkins} bridge check-ins, {counters.teacher_ok} teacher check-ins and "
            f"{counters.ticks_ok} roster ticks; {counters.refused} refused, {counters.errors} errors."
        ))
        for reason, n in counters.reasons.most_common():
            self.stdout.write(f"  {n:>7,}  {reason}")
