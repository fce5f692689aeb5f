from django.contrib import admin

from fuhe.audit.admin import AuditedAdminMixin
from fuhe.org.models import Place, Region, Unit
from fuhe.org.services import region_delete, region_save, unit_delete, unit_save


@admin.register(Region)
class RegionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Regions come from the official code lists (``fuhe import_divisions``); a correction made here is audited."""

    list_display = ["name", "code", "level", "kind", "population", "is_generated", "geometry_generated"]
    list_filter = ["level", "kind", "is_generated", "geometry_generated"]
    search_fields = ["name", "code"]
    raw_id_fields = ["parent"]
    list_per_page = 50
    show_full_result_count = False  # 665k rows: no COUNT(*) on every page

    def audited_save(self, request, obj, form, change):
        region_save(actor=request.user, region=obj)

    def audited_delete(self, request, obj):
        region_delete(actor=request.user, region=obj)


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "department_type", "region", "is_active"]
    list_filter = ["kind", "department_type", "is_active"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region", "parent", "covers"]
    list_select_related = ["region"]

    def audited_save(self, request, obj, form, change):
        unit_save(actor=request.user, unit=obj, covers=form.cleaned_data.get("covers"))

    def audited_delete(self, request, obj):
        unit_delete(actor=request.user, unit=obj)


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """The gazetteer, for reading and small corrections; districts import it with ``fuhe import_places``."""

    list_display = ["name", "region", "latitude", "longitude"]
    search_fields = ["name", "region__name"]
    raw_id_fields = ["region"]
    list_select_related = ["region"]
