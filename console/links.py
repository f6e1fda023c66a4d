"""The console's routes as the page and its sections use them (`urls` in every section's context).

Sections live in lower apps, so they name no console URL: they read `urls.api.<operation>` (the
console API, /api/console/<token>/...), `urls.files.<name>` (downloads under /c/<token>/) and
`urls.pages.<name>`.
"""

from django.urls import reverse

API_OPERATIONS = ("state", "confirm", "decline", "contacts", "readiness", "checkin", "headcount", "tick", "untick", "live",
                  "roster", "launch", "jitsi", "followups", "certificates", "school_reports")


def console_urls(token: str, event=None) -> dict:
    kwargs = {"token": token}
    files = {
        "speedtest": reverse("console_speedtest", args=[token]),
        "calendar": reverse("console_calendar", args=[token]),
        "rollcall_qr": reverse("console_qr", args=[token]),
        "certificates_zip": reverse("console_certificates_zip", args=[token]),
        "invitation_pdf": reverse("console_invitation_pdf", args=[token, event.pk]) if event is not None else "",
    }
    return {
        "api": {name: reverse(f"api:console_{name}", kwargs=kwargs) for name in API_OPERATIONS},
        "files": files,
        "pages": {"console": reverse("console", args=[token]), "followup": reverse("console_followup", args=[token])},
    }


def followup_answer_url(token: str, form_id: int) -> str:
    return reverse("api:console_followup_answer", kwargs={"token": token, "form_id": form_id})
