from django.contrib import admin

from .models import Bridge, Person, Role, Tier


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    list_display = ("code", "label", "role", "order")


@admin.register(Bridge)
class BridgeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "tier", "parent", "head_name", "head_phone", "expected_participants")
    list_filter = ("tier",)
    search_fields = ("code", "name", "head_name")
    raw_id_fields = ("parent",)
    list_select_related = ("tier", "parent")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("full_name", "teacher_id", "birth_date", "subject", "bridge")
    search_fields = ("full_name", "teacher_id", "name_key")
    raw_id_fields = ("bridge",)
    list_select_related = ("bridge",)


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("user", "kind", "scope")
    raw_id_fields = ("scope",)
