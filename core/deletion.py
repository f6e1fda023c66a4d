"""Nothing recorded disappears by cascade: a delete that would take evidence with it is refused, with counts.

Evidence rows (check-ins, check-in attempts, bridge check-ins, connection intervals, presence events,
certificates, follow-up answers) point at what they record with `on_delete=PROTECT`. Django's own
collector then finds every one of them, however deep the cascade (a session -> its roll calls -> their
check-ins), and `delete_or_refuse` turns its ProtectedError into a `Refused` that says what and how
many, in the person's language, before anything is written. Deleting something with no evidence
under it (an empty session) still works.
"""

from collections import Counter

from django.db import DEFAULT_DB_ALIAS, models, router, transaction
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import numbers
from .errors import Refused


class DeletionRefused(Refused):
    code = "has_records"

    def __init__(self, message: str, counts: dict[str, int]):
        self.counts = counts
        super().__init__(message)


def evidence_counts(obj: models.Model) -> dict[type[models.Model], int]:
    """What deleting `obj` would have to destroy and may not: {model: rows}; empty when nothing."""
    collector = Collector(using=router.db_for_write(type(obj), instance=obj) or DEFAULT_DB_ALIAS)
    try:
        collector.collect([obj])
    except (ProtectedError, RestrictedError) as exc:
        blocked = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
        return dict(Counter(type(row) for row in blocked))
    return {}


def describe(counts: dict[type[models.Model], int]) -> str:
    """"12 check-ins, 40 check-in attempts" (Vietnamese counts nouns without a plural: "12 lượt điểm danh")."""
    return ", ".join(_counted(model, count) for model, count in sorted(counts.items(), key=lambda i: i[0]._meta.label))


def _counted(model: type[models.Model], count: int) -> str:
    names = {"count": numbers.grouped(count), "singular": model._meta.verbose_name,
             "plural": model._meta.verbose_name_plural}
    # A language with one form (Vietnamese) uses the singular name only: msgfmt must not ask for both.
    # xgettext:no-python-format
    return ngettext("%(count)s %(singular)s", "%(count)s %(plural)s", count) % names


def refusal(obj: models.Model, counts: dict[type[models.Model], int]) -> DeletionRefused:
    message = _("%(object)s “%(name)s” cannot be deleted: it holds records that must be kept (%(what)s).") % {
        "object": capfirst(str(obj._meta.verbose_name)), "name": obj, "what": describe(counts)}
    return DeletionRefused(message, {model._meta.label_lower: count for model, count in counts.items()})


def refuse_if_recorded(obj: models.Model) -> None:
    """Raise DeletionRefused when deleting `obj` would destroy evidence."""
    counts = evidence_counts(obj)
    if counts:
        raise refusal(obj, counts)


def delete_or_refuse(obj: models.Model) -> None:
    """Delete `obj` and what cascades from it, or refuse (nothing deleted) when evidence is under it."""
    refuse_if_recorded(obj)
    with transaction.atomic():
        try:
            obj.delete()
        except (ProtectedError, RestrictedError):
            # Evidence written between the check and the delete (a check-in in that very instant).
            raise refusal(obj, evidence_counts(obj)) from None
