from django.contrib import admin
from django.db import transaction

from fuhe.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log can be browsed, never changed."""

    list_display = ["seq", "at", "actor_label", "action", "object_type", "object_id", "key_id"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_label", "object_id", "action"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AuditedAdminMixin:
    """For the admin of a model whose writes are audited: every save and delete of the back office goes through the
    context's services, which write the audit event in the admin's transaction. Subclasses name them."""

    def audited_save(self, request, obj, form, change) -> None:
        raise NotImplementedError

    def audited_delete(self, request, obj) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        self.audited_save(request, obj, form, change)

    def delete_model(self, request, obj):
        self.audited_delete(request, obj)

    def delete_queryset(self, request, queryset):
        """The changelist's "delete selected": one audited delete per object, all or none."""
        with transaction.atomic():
            for obj in queryset:
                self.audited_delete(request, obj)
