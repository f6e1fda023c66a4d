from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import services
from .models import (
    BridgeTally,
    Certificate,
    CertificateCounter,
    CertificateTemplate,
    CompletionRule,
    Override,
    TallyState,
)


@admin.register(CertificateTemplate)
class CertificateTemplateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "title", "signer_title", "signer_name", "number_format", "updated_at")
    raw_id_fields = ("event",)


@admin.register(CompletionRule)
class CompletionRuleAdmin(admin.ModelAdmin):
    list_display = ("event", "min_roll_calls", "min_connected_percent", "combine")
    raw_id_fields = ("event",)


@admin.register(Override)
class OverrideAdmin(admin.ModelAdmin):
    # Overrides are made on the eligibility page, which writes the audit log; here they are only read.
    list_display = ("event", "person", "eligible", "reason", "by", "at")
    readonly_fields = ("event", "person", "eligible", "reason", "by", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    # Issued through the training pages (numbering, audit); the admin reads, and revokes with a reason
    # through the same service (audit row; /verify then says "revoked"). Never deleted, not even here:
    # a deleted certificate would answer "not found" to whoever verifies the paper.
    list_display = ("number", "holder_name", "training_title", "issued_at", "status")
    list_filter = ("status",)
    search_fields = ("number", "holder_name")
    exclude = ("code",)
    readonly_fields = [f.name for f in Certificate._meta.fields if f.name != "code"]
    actions = ["revoke_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_revoke_permission(self, request):
        # The model permission a staff account needs to revoke from here (superusers have it).
        return request.user.has_perm("training.change_certificate")

    @admin.action(description=gettext_lazy("Revoke the selected certificates (with a reason)"), permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        valid = queryset.filter(status=Certificate.Status.VALID)
        reason = request.POST.get("reason", "").strip()
        if "apply" in request.POST:
            if not reason:
                self.message_user(request, _("A revocation needs a reason."), messages.ERROR)
            else:
                revoked = 0
                for certificate in valid:
                    services.revoke(certificate, reason=reason, request=request)
                    revoked += 1
                self.message_user(request, _("%(count)s certificates revoked.") % {"count": revoked}, messages.SUCCESS)
                return None
        return TemplateResponse(request, "admin/training/certificate/revoke.html", {
            **self.admin_site.each_context(request), "title": _("Revoke certificates"), "certificates": valid,
            "selected": queryset.values_list("pk", flat=True), "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


@admin.register(CertificateCounter)
class CertificateCounterAdmin(admin.ModelAdmin):
    # Numbers already handed out depend on it: visible, never edited by hand.
    list_display = ("event", "year", "last_seq")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


class ReadModelAdmin(admin.ModelAdmin):
    # The report numbers' read model (training.tallies) is counted from the rows, never typed: the admin
    # shows it to whoever investigates a figure; `manage.py rebuild_tallies` recounts it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BridgeTally)
class BridgeTallyAdmin(ReadModelAdmin):
    list_display = ("event", "bridge", "invited", "status", "expected", "roster", "teachers", "completed", "stale")
    list_filter = ("invited", "status")
    raw_id_fields = ("event", "bridge")
    search_fields = ("path",)


@admin.register(TallyState)
class TallyStateAdmin(ReadModelAdmin):
    list_display = ("event", "built_at", "stale")
    raw_id_fields = ("event",)
