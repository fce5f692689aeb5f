from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.db import transaction

from fuhe.accounts.models import RoleAssignment, User
from fuhe.accounts.services import (
    person_delete,
    person_password_changed,
    person_save,
    role_assignment_delete,
    role_assignment_save,
)
from fuhe.audit.admin import AuditedAdminMixin
from fuhe.audit.core.masking import mask_phone
from fuhe.audit.services import audit_record

# Permissions come from roles (accounts.rules), not from Django's groups: a group edited here would be a grant
# no audit event records, so the back office does not offer them.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ["unit", "region"]


@admin.register(User)
class PersonAdmin(AuditedAdminMixin, UserAdmin):
    """People and their roles; every save, delete, role change and password change is an audited service call."""

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

    def audited_save(self, request, obj, form, change):
        data = form.cleaned_data
        person_save(
            actor=request.user,
            person=obj,
            groups=data.get("groups") if "groups" in form.changed_data else None,
            user_permissions=data.get("user_permissions") if "user_permissions" in form.changed_data else None,
        )

    def audited_delete(self, request, obj):
        person_delete(actor=request.user, person=obj)

    def save_formset(self, request, form, formset, change):
        """The role assignments of the inline: each addition, change and removal through the audited services."""
        assignments = formset.save(commit=False)
        for assignment in formset.deleted_objects:
            role_assignment_delete(actor=request.user, assignment=assignment)
        for assignment in assignments:
            role_assignment_save(actor=request.user, assignment=assignment)
        formset.save_m2m()

    def user_change_password(self, request, id, form_url=""):
        """Django's password form saves the password itself: its save and the audit event share one transaction
        (recorded in ``log_change``, which Django calls exactly when the form was saved)."""
        with transaction.atomic():
            return super().user_change_password(request, id, form_url)

    def log_change(self, request, obj, message):
        match = request.resolver_match
        if match is not None and match.url_name == "auth_user_password_change":  # its fixed name in UserAdmin
            person_password_changed(actor=request.user, person=obj)
        return super().log_change(request, obj, message)
