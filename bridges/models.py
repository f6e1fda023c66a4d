import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_console_token() -> str:
    # 256 bits, URL-safe: the school's only credential, so it must be unguessable.
    return secrets.token_urlsafe(32)


class Tier(models.Model):
    """A level of the bridge tree. Labels are data: provinces group by district, commune, cluster..."""

    class Role(models.TextChoices):
        HOST = "host", _("host bridge")
        INTERMEDIATE = "intermediate", _("intermediate bridge")
        SCHOOL = "school", _("school bridge")

    code = models.SlugField(_("code"), max_length=30, unique=True)
    label = models.CharField(_("label"), max_length=60)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")

    def __str__(self):
        return self.label


class Bridge(models.Model):
    """A bridge point (điểm cầu): the host, an intermediate hall or a school."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    tier = models.ForeignKey(Tier, verbose_name=_("tier"), on_delete=models.PROTECT, related_name="bridges")
    parent = models.ForeignKey(
        "self", verbose_name=_("parent bridge"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialized path "/<id>/<id>/.../" so a subtree is one indexed prefix query at any depth.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    address = models.CharField(_("address"), max_length=300, blank=True)
    head_name = models.CharField(_("head contact"), max_length=120, blank=True)
    head_role = models.CharField(_("head contact role"), max_length=120, blank=True)
    head_phone = models.CharField(_("head contact phone"), max_length=20, blank=True)
    tech_name = models.CharField(_("technical contact"), max_length=120, blank=True)
    tech_phone = models.CharField(_("technical contact phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    expected_participants = models.PositiveIntegerField(_("expected participants"), default=0)
    internet_line = models.CharField(_("internet line"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    console_token = models.CharField(max_length=64, unique=True, default=new_console_token, editable=False)
    console_rotated_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("bridge")
        verbose_name_plural = _("bridges")

    def __str__(self):
        return f"{self.code} – {self.name}"

    def save(self, *args, **kwargs):
        from .tree import assign_path

        super().save(*args, **kwargs)
        assign_path(self)

    @property
    def contact_phone(self) -> str:
        return self.tech_phone or self.head_phone


class PersonQuerySet(models.QuerySet):
    def with_teacher_ids(self, teacher_ids):
        """People with these identifiers. Repeats the unique index's condition (identifier not empty):
        without it SQLite cannot use that partial index and scans the whole roster."""
        return self.exclude(teacher_id="").filter(teacher_id__in=list(teacher_ids))


class Person(models.Model):
    """A participant on a bridge's roster (usually a teacher)."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        OTHER = "O", _("other")

    bridge = models.ForeignKey(Bridge, verbose_name=_("bridge"), on_delete=models.PROTECT, related_name="people")
    full_name = models.CharField(_("full name"), max_length=150)
    # Comparison key for matching imports and name search (no diacritics, lower case).
    name_key = models.CharField(max_length=150, db_index=True, editable=False, default="")
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    subject = models.CharField(_("subject / role"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    # mã định danh: a string, leading zeros matter.
    teacher_id = models.CharField(_("teacher identifier"), max_length=32, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["bridge", "name_key"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.UniqueConstraint(
                fields=["teacher_id"], condition=~models.Q(teacher_id=""), name="person_unique_teacher_id"
            ),
        ]

    def __str__(self):
        return self.full_name

    def save(self, *args, **kwargs):
        from core.text import fold

        self.name_key = fold(self.full_name)[:150]
        super().save(*args, **kwargs)


class Role(models.Model):
    """What an account may see and do. School coordinators have no account: they use a console link."""

    class Kind(models.TextChoices):
        ORGANIZER = "organizer", _("organizer")
        DISTRICT_OFFICER = "district_officer", _("district officer")
        OFFICIAL = "official", _("official")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diemcau_role")
    kind = models.CharField(_("role"), max_length=20, choices=Kind.choices)
    # The subtree the account covers; empty = the whole province (organizers, province officials).
    scope = models.ForeignKey(
        Bridge, verbose_name=_("scope"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}"
