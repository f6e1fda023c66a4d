"""Uploaded files waiting for confirmation, under MEDIA_ROOT/imports/ with random names."""

import re
import secrets
import time
from pathlib import Path

from django.conf import settings

from .errors import ImportFileError
from .reading import too_large_message

_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|xlsm|csv|txt|bin)$")
STALE_AFTER = 24 * 3600


def upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def store(uploaded) -> str:
    """Save an UploadedFile; return its stored name. Refuses files over IMPORT_MAX_BYTES."""
    if uploaded.size is not None and uploaded.size > settings.IMPORT_MAX_BYTES:
        raise ImportFileError(too_large_message())
    suffix = Path(uploaded.name or "").suffix.lower().lstrip(".")
    suffix = suffix if suffix in ("xlsx", "xlsm", "csv", "txt") else "bin"
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    discard_stale()
    name = f"{secrets.token_hex(16)}.{suffix}"
    written = 0
    target = folder / name
    with target.open("wb") as out:
        for chunk in uploaded.chunks():
            written += len(chunk)
            if written > settings.IMPORT_MAX_BYTES:
                out.close()
                target.unlink(missing_ok=True)
                raise ImportFileError(too_large_message())
            out.write(chunk)
    return name


def path_of(name: str) -> Path:
    if not _NAME.match(name or ""):
        raise ImportFileError("invalid upload name")
    return upload_dir() / name


def exists(name: str) -> bool:
    return bool(_NAME.match(name or "")) and path_of(name).exists()


def discard(name: str) -> None:
    if _NAME.match(name or ""):
        path_of(name).unlink(missing_ok=True)


def discard_stale(max_age: int = STALE_AFTER) -> None:
    """Uploads nobody confirmed or cancelled within a day are abandoned."""
    folder = upload_dir()
    if not folder.is_dir():
        return
    limit = time.time() - max_age
    for path in folder.iterdir():
        if _NAME.match(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
