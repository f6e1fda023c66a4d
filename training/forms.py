from django import forms
from django.utils.translation import gettext_lazy as _

from bridges.identifiers import clean_identifier
from core.text import clean_text

from .errors import TrainingError
from .models import CertificateTemplate, CompletionRule
from .services import check_number_format

DATE_INPUTS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]


class RuleForm(forms.Form):
    min_roll_calls = forms.IntegerField(
        label=_("Present at no fewer than N roll calls"), required=False, min_value=0, max_value=100)
    min_connected_percent = forms.IntegerField(
        label=_("Bridge connected for at least X percent of the session time"), required=False, min_value=0, max_value=100)
    combine = forms.ChoiceField(label=_("Combine"), choices=CompletionRule.Combine.choices,
                                initial=CompletionRule.Combine.AND)


class OverrideForm(forms.Form):
    DECISIONS = [("eligible", _("eligible")), ("not_eligible", _("not eligible")), ("clear", _("follow the rule"))]
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Reason (required)"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = clean_text(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError(_("An override needs a reason."))
        return reason


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for revocation (required)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = clean_text(self.cleaned_data.get("reason"))
        if not reason:
            raise forms.ValidationError(_("A revocation needs a reason."))
        return reason


class TemplateForm(forms.ModelForm):
    class Meta:
        model = CertificateTemplate
        fields = ["issuer", "motto", "title", "completion_text", "signer_title", "signer_name", "place",
                  "number_format", "logo"]
        widgets = {"issuer": forms.Textarea(attrs={"rows": 3}), "motto": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"number_format": _("{seq} is the number within the training and year, {year} the year, "
                                         "{event} the training's id; {seq:04d} pads with zeros (up to 9 digits). "
                                         "Nothing else in braces. Example: {seq}/GCN-STTTT")}

    def clean(self):
        cleaned = super().clean()
        for name in ("title", "completion_text", "signer_title", "signer_name", "place"):
            if name in cleaned:
                cleaned[name] = clean_text(cleaned[name])
        for name in ("issuer", "motto"):
            if name in cleaned:
                cleaned[name] = "\n".join(clean_text(line) for line in cleaned[name].splitlines() if clean_text(line))
        return cleaned

    def clean_number_format(self):
        try:
            return check_number_format(self.cleaned_data.get("number_format", ""))
        except TrainingError as exc:
            raise forms.ValidationError(exc.user_message) from exc


class VerifyForm(forms.Form):
    code = forms.CharField(label=_("Verification code"), max_length=40,
                           widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters",
                                                         "placeholder": "XXXX-XXXX-XXXX-X"}))


class SelfServiceForm(forms.Form):
    teacher_id = forms.CharField(label=_("Teacher identifier"), max_length=32,
                                 widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    birth_date = forms.DateField(label=_("Birth date (dd/mm/yyyy)"), input_formats=DATE_INPUTS,
                                 widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "autocomplete": "bday"}))

    def clean_teacher_id(self):
        return clean_identifier(self.cleaned_data.get("teacher_id"))
