from django.contrib import admin

from fuhe.org.models import Region, Unit


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "kind", "population", "is_generated"]
    list_filter = ["level", "kind", "is_generated"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    list_per_page = 50
    show_full_result_count = False  # 665k rows: no COUNT(*) on every page


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "department_type", "region", "is_active"]
    list_filter = ["kind", "department_type", "is_active"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region", "parent", "covers"]
    list_select_related = ["region"]
