"""The console's certificates section: the school's trainings with valid certificates, each a ZIP
of PDFs (downloaded from the console's file route `urls.files.certificates_zip`). Registered in
training/apps.py."""

from django.db.models import Count, Max

from events.console_sections import ConsoleSection, register

from .models import Certificate


def console_trainings(bridge):
    """Trainings with valid certificates for the school's people, with counts, latest first."""
    return (Certificate.objects.filter(person__bridge=bridge, status=Certificate.Status.VALID)
            .values("event_id", "event__title", "event__starts_at")
            .annotate(count=Count("pk"), last_issued=Max("issued_at")).order_by("-event__starts_at"))


def school_certificates(bridge, event_id: int) -> list[Certificate]:
    """The school's valid certificates of one training, in number order (what its ZIP holds)."""
    return list(Certificate.objects.filter(person__bridge=bridge, event_id=event_id, status=Certificate.Status.VALID)
                .select_related("event").order_by("seq"))


def _certificates(bridge, event, token):
    trainings = list(console_trainings(bridge))
    return {"trainings": trainings} if trainings else None


def register_sections() -> None:
    register(ConsoleSection("certificates", 80, "training/_console_section.html", _certificates))
