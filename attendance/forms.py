from django import forms
from django.utils.translation import gettext_lazy as _

from core.text import clean_text

from .services import rollcall


class OpenRollCallForm(forms.Form):
    session = forms.ModelChoiceField(label=_("Session"), queryset=None, empty_label=None)
    label = forms.CharField(label=_("Name"), max_length=120, initial=_("Start"),
                            help_text=_("e.g. start, middle, end"))
    minutes = forms.IntegerField(label=_("Open for (minutes)"), min_value=1, max_value=rollcall.MAX_MINUTES,
                                 initial=rollcall.DEFAULT_MINUTES)
    window_seconds = forms.IntegerField(label=_("QR code changes every (seconds)"),
                                        min_value=rollcall.MIN_WINDOW_SECONDS, max_value=rollcall.MAX_WINDOW_SECONDS,
                                        initial=rollcall.DEFAULT_WINDOW_SECONDS)

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = event.sessions.all()

    def clean_label(self):
        return clean_text(self.cleaned_data["label"])
