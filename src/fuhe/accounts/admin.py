from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from fuhe.accounts.models import RoleAssignment, User
from fuhe.audit.core.masking import mask_phone
from fuhe.audit.services import audit_record


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["unit", "region"]


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "display_name", "masked_phone", "weekly_capacity_hours", "is_active"]
    search_fields = ["username", "display_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Fuhe", {"fields": ("display_name", "phone", "id_number", "address", "weekly_capacity_hours")}),
    )

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The change form shows personal data in full: opening it is a recorded view of personal data."""
        if request.method == "GET" and object_id:
            with transaction.atomic():
                audit_record(
                    actor=request.user,
                    action="personal_data.viewed",
                    target=self.get_object(request, object_id) or User(pk=object_id),
                    summary={"field": "all", "via": "admin"},
                )
        return super().change_view(request, object_id, form_url, extra_context)
