"""Import jobs: a preview job reads and checks the upload; a confirmed preview starts an apply job.

Views and the API call start_preview / confirm / abandon; core.jobs runs the bodies with a progress bar.
"""

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from core import jobs
from core.models import Job

from . import service, uploads
from .errors import ImportFileError
from .reading import ENCODINGS

PREVIEW, APPLY = "import_preview", "import_apply"


def _reporter(job: Job):
    return lambda done, total, message: jobs.progress(job, done, total, message)


@jobs.job_kind(PREVIEW)
def preview_job(job: Job) -> dict:
    params = job.params
    with translation.override(params.get("lang") or settings.LANGUAGE_CODE):
        try:
            plan = service.preview(
                uploads.path_of(params["upload"]), params["kind"], file_name=params.get("file_name", ""),
                bridge_code=params.get("bridge", ""), skip_sheets=params.get("skip_sheets", []),
                encoding=params.get("encoding", ""), progress=_reporter(job),
            )
        except ImportFileError:
            # Nothing to confirm. A file read with a chosen encoding is kept, so another one can be tried.
            if not params.get("encoding"):
                uploads.discard(params["upload"])
            raise
        return plan.to_dict()


@jobs.job_kind(APPLY)
def apply_job(job: Job) -> dict:
    params = job.params
    with translation.override(params.get("lang") or settings.LANGUAGE_CODE):
        plan = service.apply(
            uploads.path_of(params["upload"]), params["kind"], file_name=params.get("file_name", ""),
            bridge_code=params.get("bridge", ""), skip_invalid=params.get("skip_invalid", False),
            user=job.created_by, ip=params.get("ip"), skip_sheets=params.get("skip_sheets", []),
            encoding=params.get("encoding", ""), progress=_reporter(job),
        )
        # Kept after a failure so the person can confirm again with "skip invalid rows" or cancel.
        uploads.discard(params["upload"])
        return {"kind": plan.kind, "file_name": plan.file_name, "counts": plan.counts, "summary": plan.summary_text(),
                "preview_job": params.get("preview_job")}


def _check_encoding(encoding: str) -> str:
    if encoding and encoding not in ENCODINGS:
        raise ImportFileError(_("Unknown text encoding %(name)s.") % {"name": encoding})
    return encoding


def start_preview(*, user, uploaded, kind: str, bridge_code: str = "", lang: str = "", skip_sheets=(),
                  encoding: str = "") -> Job:
    if kind not in service.KINDS:
        raise ImportFileError(_("Unknown import kind."))
    _check_encoding(encoding)
    if bridge_code and kind == "people":
        from ..models import Bridge

        if not Bridge.objects.filter(code=bridge_code).exists():
            raise ImportFileError(_("Bridge %(code)s does not exist.") % {"code": bridge_code})
    name = uploads.store(uploaded)
    params = {"upload": name, "kind": kind, "file_name": (uploaded.name or "")[:200],
              "bridge": bridge_code if kind == "people" else "", "lang": lang or settings.LANGUAGE_CODE,
              "skip_sheets": [name.strip() for name in skip_sheets if name.strip()], "encoding": encoding}
    return jobs.start(PREVIEW, params=params, user=user)


def reread(preview: Job, *, user, encoding: str = "", skip_sheets=(), lang: str = "") -> Job:
    """Read the same upload again with another encoding or other sheets left out: a new preview replaces
    this one (which can no longer be confirmed); the file is kept for the new one."""
    _check_encoding(encoding)
    with transaction.atomic():
        preview = Job.objects.select_for_update().get(pk=preview.pk)
        if preview.kind != PREVIEW or not preview.finished or apply_job_of(preview) is not None:
            raise ImportFileError(_("This preview can no longer be read again; upload the file again."))
        if (preview.result or {}).get("abandoned") or not uploads.exists(preview.params.get("upload", "")):
            raise ImportFileError(_("The uploaded file is no longer available; please upload it again."))
        params = {**preview.params, "encoding": encoding, "lang": lang or preview.params.get("lang", ""),
                  "skip_sheets": [name.strip() for name in skip_sheets if name.strip()], "replaces": preview.pk}
        again = jobs.start(PREVIEW, params=params, user=user)
        preview.result = {**(preview.result or {}), "abandoned": True, "replaced_by": again.pk}
        preview.save(update_fields=["result"])
    again.refresh_from_db()
    return again


def confirm(preview: Job, *, user, skip_invalid: bool = False, lang: str = "", ip: str | None = None) -> Job:
    """Start writing what a finished preview showed. A second confirm of the same preview is refused."""
    with transaction.atomic():
        preview = Job.objects.select_for_update().get(pk=preview.pk)
        if preview.kind != PREVIEW or preview.status != Job.Status.DONE:
            raise ImportFileError(_("This preview is not ready to be confirmed."))
        earlier = apply_job_of(preview)
        if earlier is not None and earlier.status != Job.Status.FAILED:
            raise ImportFileError(_("This import was already confirmed."))
        if preview.result.get("abandoned") or not uploads.exists(preview.params.get("upload", "")):
            raise ImportFileError(_("The uploaded file is no longer available; please upload it again."))
        params = {**preview.params, "skip_invalid": bool(skip_invalid), "preview_job": preview.pk,
                  "lang": lang or preview.params.get("lang", settings.LANGUAGE_CODE), "ip": ip}
        apply = jobs.start(APPLY, params=params, user=user)
        preview.result = {**preview.result, "apply_job": apply.pk}
        preview.save(update_fields=["result"])
    apply.refresh_from_db()
    return apply


def abandon(preview: Job) -> None:
    with transaction.atomic():
        preview = Job.objects.select_for_update().get(pk=preview.pk)
        earlier = apply_job_of(preview)
        if preview.kind != PREVIEW or (earlier is not None and earlier.status != Job.Status.FAILED):
            return
        uploads.discard(preview.params.get("upload", ""))
        preview.result = {**(preview.result or {}), "abandoned": True}
        preview.save(update_fields=["result"])


def apply_job_of(preview: Job) -> Job | None:
    job_id = (preview.result or {}).get("apply_job")
    return Job.objects.filter(pk=job_id).first() if job_id else None
