from django.contrib import admin

from fuhe.cases.models import CalendarDay, Case, Category, ClockPolicy, KnowledgeEntry


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["path", "level", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "path"]
    raw_id_fields = ["parent"]


@admin.register(ClockPolicy)
class ClockPolicyAdmin(admin.ModelAdmin):
    """Every clock is configurable here: the most specific row (category, request type, urgency) applies."""

    list_display = [
        "urgency",
        "request_type",
        "category",
        "acceptance_amount",
        "acceptance_unit",
        "resolution_amount",
        "resolution_unit",
        "warn_before_hours",
        "source",
    ]
    list_filter = ["urgency", "request_type"]
    raw_id_fields = ["category"]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up working days for years the calendar library does not know yet (or corrections)."""

    list_display = ["day", "is_workday", "note"]
    list_filter = ["is_workday"]
    date_hierarchy = "day"


@admin.register(KnowledgeEntry)
class KnowledgeEntryAdmin(admin.ModelAdmin):
    list_display = ["question", "category", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["question", "answer", "keywords"]
    raw_id_fields = ["category"]


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only in the back office: cases change only through the closed-loop services."""

    list_display = ["tracking_code", "title", "state", "owner_unit", "region", "created_at"]
    list_filter = ["state", "channel", "urgency"]
    search_fields = ["tracking_code", "title"]
    show_full_result_count = False
    exclude = ["access_token_hash", "request_fingerprint", "reporter_phone", "reporter_name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
