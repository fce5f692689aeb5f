from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from fuhe.api.models import ApiKey
from fuhe.api.services import api_key_revoke


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Keys are issued with ``fuhe api_key create`` (the secret is shown once); here they are listed and revoked."""

    list_display = ["prefix", "name", "user", "application", "scopes", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["prefix", "name", "application", "user__username"]
    raw_id_fields = ["user", "created_by"]
    readonly_fields = [
        "prefix",
        "secret_hash",
        "user",
        "application",
        "scopes",
        "created_at",
        "created_by",
        "revoked_at",
        "last_used_at",
    ]
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected keys"))
    def revoke(self, request, queryset):
        for api_key in queryset:
            api_key_revoke(actor=request.user, api_key=api_key)
        count = queryset.count()
        messages.success(
            request, ngettext("%(count)d key revoked.", "%(count)d keys revoked.", count) % {"count": count}
        )
