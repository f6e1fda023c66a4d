from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.text import clean_text

from .models import RollCall
from .services import rollcall


class OpenRollCallForm(forms.Form):
    session = forms.ModelChoiceField(label=pgettext_lazy("event part", "Session"), queryset=None, empty_label=None)
    label = forms.CharField(label=_("Name"), max_length=120, initial=_("Start"),
                            help_text=_("e.g. start, middle, end"))
    minutes = forms.IntegerField(label=_("Open for (minutes)"), min_value=1, max_value=rollcall.MAX_MINUTES,
                                 initial=rollcall.DEFAULT_MINUTES)
    window_seconds = forms.IntegerField(label=_("QR code changes every (seconds)"),
                                        min_value=rollcall.MIN_WINDOW_SECONDS, max_value=rollcall.MAX_WINDOW_SECONDS,
                                        initial=rollcall.DEFAULT_WINDOW_SECONDS)

    # Optional: left out, the event's previous choice (else the screen code) applies.
    second_factor = forms.ChoiceField(
        label=_("By name, teachers type their birth year and"), choices=RollCall.SecondFactor.choices, required=False,
        help_text=_("The code is shown under the QR on every bridge's screen; a link forwarded to someone "
                    "elsewhere is not enough without it."))

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = event.sessions.all()
        self.fields["second_factor"].initial = rollcall.default_second_factor(event.pk)

    def clean_label(self):
        return clean_text(self.cleaned_data["label"])
