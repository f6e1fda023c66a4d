"""Forms of the organizer pages and the console. They parse input; the rules live in events.services."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridges.models import Bridge, Tier

from .models import AgendaItem, Event

DATETIME_FORMAT = "%d/%m/%Y %H:%M"
DATETIME_INPUTS = [DATETIME_FORMAT, "%d/%m/%Y %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
DATE_FORMAT = "%d/%m/%Y"
TIME_FORMAT = "%H:%M"


def local_datetime(day, time) -> datetime:
    """A date and a time typed in the UI, read as Asia/Ho_Chi_Minh (the site's time zone)."""
    return timezone.make_aware(datetime.combine(day, time), timezone.get_default_timezone())


def _datetime_field(label):
    return forms.DateTimeField(
        label=label, input_formats=DATETIME_INPUTS,
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"placeholder": "dd/mm/yyyy HH:MM",
                                                                  "inputmode": "numeric"}),
    )


def _time_field(label):
    return forms.TimeField(label=label, input_formats=[TIME_FORMAT, "%H:%M:%S", "%Hh%M", "%Hh"],
                           widget=forms.TimeInput(format=TIME_FORMAT, attrs={"placeholder": "HH:MM", "size": 6}))


class LocalTimesMixin:
    """DateTimeFields are read in the site's time zone even if a page activated another one."""

    def clean(self):
        cleaned = super().clean()
        tz = timezone.get_default_timezone()
        for name in ("starts_at", "ends_at"):
            value = cleaned.get(name)
            if value is not None:
                naive = timezone.make_naive(value) if timezone.is_aware(value) else value
                cleaned[name] = timezone.make_aware(naive, tz)
        return cleaned


class EventForm(LocalTimesMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255, widget=forms.TextInput(attrs={"class": "wide"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=Event.Kind.choices)
    host = forms.ModelChoiceField(label=_("Host bridge"), queryset=Bridge.objects.none(), to_field_name="code")
    starts_at = _datetime_field(_("Starts at"))
    ends_at = _datetime_field(_("Ends at"))
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    livestream_url = forms.URLField(label=_("Livestream link (for schools that only watch)"), required=False,
                                    assume_scheme="https")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The host is a hall that can hold the ceremony: a host or intermediate bridge.
        self.fields["host"].queryset = Bridge.objects.filter(
            tier__role__in=[Tier.Role.HOST, Tier.Role.INTERMEDIATE]).select_related("tier").order_by("path")
        self.fields["host"].label_from_instance = lambda bridge: f"{bridge.code} – {bridge.name}"

    @classmethod
    def initial_for(cls, event: Event) -> dict:
        return {"title": event.title, "kind": event.kind, "host": event.host.code,
                "starts_at": timezone.localtime(event.starts_at), "ends_at": timezone.localtime(event.ends_at),
                "description": event.description, "livestream_url": event.livestream_url}


class SessionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=255)
    day = forms.DateField(label=_("Date"), input_formats=[DATE_FORMAT, "%Y-%m-%d"],
                          widget=forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "size": 10}))
    start = _time_field(_("From"))
    end = _time_field(_("To"))
    counts_for_completion = forms.BooleanField(label=_("Counts toward training completion"), required=False)

    def clean(self):
        cleaned = super().clean()
        if all(cleaned.get(name) is not None for name in ("day", "start", "end")):
            cleaned["starts_at"] = local_datetime(cleaned["day"], cleaned["start"])
            cleaned["ends_at"] = local_datetime(cleaned["day"], cleaned["end"])
        return cleaned

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("title", "starts_at", "ends_at", "counts_for_completion")}

    @classmethod
    def initial_for(cls, session) -> dict:
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        return {"title": session.title, "day": start.date(), "start": start.time(), "end": end.time(),
                "counts_for_completion": session.counts_for_completion}


class AgendaItemForm(forms.Form):
    start = _time_field(_("From"))
    end = _time_field(_("To"))
    title = forms.CharField(label=_("Title"), max_length=255)
    speaker = forms.CharField(label=_("Speaker"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=AgendaItem.Kind.choices, initial=AgendaItem.Kind.SPEECH)

    def __init__(self, *args, session=None, **kwargs):
        self.session = session
        super().__init__(*args, **kwargs)

    def values(self) -> dict:
        # Agenda times are on the session's day.
        day = timezone.localtime(self.session.starts_at).date()
        return {"title": self.cleaned_data["title"], "speaker": self.cleaned_data["speaker"],
                "kind": self.cleaned_data["kind"], "starts_at": local_datetime(day, self.cleaned_data["start"]),
                "ends_at": local_datetime(day, self.cleaned_data["end"])}

    @classmethod
    def initial_for(cls, item) -> dict:
        return {"start": timezone.localtime(item.starts_at).time(), "end": timezone.localtime(item.ends_at).time(),
                "title": item.title, "speaker": item.speaker, "kind": item.kind}


class ParticipantGroupsForm(forms.Form):
    """One text per tier: who attends at bridges of that tier."""

    def __init__(self, *args, tiers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.tiers = list(tiers)
        for tier in self.tiers:
            self.fields[f"tier_{tier.pk}"] = forms.CharField(
                label=tier.label, required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def descriptions(self) -> dict:
        return {tier: self.cleaned_data.get(f"tier_{tier.pk}", "") for tier in self.tiers}


class InviteForm(forms.Form):
    MODES = [
        ("all", _("All bridges")),
        ("subtree", _("A bridge and everything below it")),
        ("selection", _("The bridges I tick below")),
        ("list", _("A list of codes (pasted or uploaded)")),
    ]
    mode = forms.ChoiceField(label=_("Whom to invite"), choices=MODES, widget=forms.RadioSelect, initial="all")
    root = forms.ModelChoiceField(label=_("Bridge"), queryset=Bridge.objects.none(), to_field_name="code",
                                  required=False)
    selection = forms.ModelMultipleChoiceField(queryset=Bridge.objects.none(), to_field_name="code", required=False,
                                               widget=forms.CheckboxSelectMultiple)
    codes = forms.CharField(label=_("Codes, one per line (the first column of a spreadsheet)"), required=False,
                            widget=forms.Textarea(attrs={"rows": 5}))
    file = forms.FileField(label=_("…or a file (.txt, .csv, .xlsx)"), required=False)

    def __init__(self, *args, bridges=None, **kwargs):
        super().__init__(*args, **kwargs)
        bridges = bridges if bridges is not None else Bridge.objects.none()
        self.fields["root"].queryset = bridges.exclude(tier__role=Tier.Role.SCHOOL).order_by("path")
        self.fields["root"].label_from_instance = lambda bridge: f"{bridge.code} – {bridge.name}"
        self.fields["selection"].queryset = bridges.select_related("tier").order_by("path")
        self.fields["selection"].label_from_instance = lambda bridge: f"{bridge.code} – {bridge.name}"

    def clean(self):
        cleaned = super().clean()
        mode = cleaned.get("mode")
        if mode == "subtree" and not cleaned.get("root"):
            self.add_error("root", _("Choose the bridge whose subtree to invite."))
        if mode == "selection" and not cleaned.get("selection"):
            self.add_error("selection", _("Tick at least one bridge."))
        if mode == "list" and not cleaned.get("codes") and not cleaned.get("file"):
            self.add_error("codes", _("Paste codes or choose a file."))
        return cleaned


class ContactsForm(forms.Form):
    head_name = forms.CharField(label=_("Head contact"), max_length=120, required=False)
    head_phone = forms.CharField(label=_("Head contact phone"), max_length=30, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    tech_name = forms.CharField(label=_("Technical contact"), max_length=120, required=False)
    tech_phone = forms.CharField(label=_("Technical contact phone"), max_length=30, required=False,
                                 widget=forms.TextInput(attrs={"inputmode": "tel"}))
    email = forms.CharField(label=_("E-mail"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    expected_participants = forms.CharField(label=_("Expected participants"), max_length=6, required=False,
                                            widget=forms.TextInput(attrs={"inputmode": "numeric", "size": 6}))

    @classmethod
    def initial_for(cls, invitation) -> dict:
        bridge = invitation.bridge
        expected = invitation.expected_participants
        return {"head_name": bridge.head_name, "head_phone": bridge.head_phone, "tech_name": bridge.tech_name,
                "tech_phone": bridge.tech_phone, "email": bridge.email,
                "expected_participants": expected if expected is not None else bridge.expected_participants}


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=300, required=False)
