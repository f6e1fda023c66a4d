"""The school's certificates over the API: its trainings with valid certificates, and their ZIPs."""

from django.urls import reverse
from ninja import Router, Schema

from training.console import console_trainings

from .api_support import CALLER, ERRORS, Token
from .auth import console_link

router = Router(tags=["console"], auth=console_link)


class TrainingOut(Schema):
    event_id: int
    title: str
    count: int
    zip_url: str  # a file route of the console: every valid certificate of the training, as PDFs


@router.get("/{token}/certificates", response={200: list[TrainingOut], **ERRORS}, url_name="console_certificates",
            summary="The school's trainings with certificates, and their ZIP links",
            description="Valid certificates only (revoked ones are left out), grouped by training, latest first." + CALLER)
def certificates(request, token: Token):
    zip_url = reverse("console_certificates_zip", args=[token])
    return [{"event_id": row["event_id"], "title": row["event__title"], "count": row["count"],
             "zip_url": f"{zip_url}?event={row['event_id']}"} for row in console_trainings(request.auth)]
