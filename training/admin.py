from django.contrib import admin

from .models import Certificate, CertificateCounter, CertificateTemplate, CompletionRule, Override


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
    # Issued and revoked through the training pages (numbering, audit); the admin only reads.
    list_display = ("number", "holder_name", "training_title", "issued_at", "status")
    list_filter = ("status",)
    search_fields = ("number", "holder_name")
    exclude = ("code",)
    readonly_fields = [f.name for f in Certificate._meta.fields if f.name != "code"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CertificateCounter)
class CertificateCounterAdmin(admin.ModelAdmin):
    # Numbers already handed out depend on it: visible, never edited by hand.
    list_display = ("event", "year", "last_seq")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
