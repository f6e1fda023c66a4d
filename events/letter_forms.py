"""The invitation letter's fields on the event edit page. It parses; events.services.letters checks and saves."""

from django import forms
from django.core.exceptions import ValidationError

from .forms import DATE_FORMAT
from .models import InvitationLetter
from .services import letters


class LetterForm(forms.ModelForm):
    class Meta:
        model = InvitationLetter
        fields = ["parent_body", "issuer", "number", "number_pattern", "place", "dated", "title", "subject",
                  "body", "recipients", "signer_authority", "signer_title", "signer_name"]
        widgets = {
            "dated": forms.DateInput(format=DATE_FORMAT, attrs={"placeholder": "dd/mm/yyyy", "size": 10}),
            "body": forms.Textarea(attrs={"rows": 3}),
            "recipients": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dated"].input_formats = [DATE_FORMAT, "%Y-%m-%d"]
        self.fields["number_pattern"].required = False

    def clean(self):
        cleaned = super().clean()
        try:
            self.letter_values = letters.clean_values({name: cleaned.get(name) for name in self.Meta.fields})
        except ValidationError as exc:
            self.add_error(None, exc)
        return cleaned

    def _post_clean(self):
        # The service is the one that checks and saves; the model's own full_clean would only repeat it.
        pass
