from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "fuhe.org"
    label = "org"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fuhe.org.models import Region
        from fuhe.org.regions import place_index_forget
        from fuhe.org.signals import regions_changed

        # the process's index of boundaries follows every write of regions (saves, deletes, bulk imports)
        post_save.connect(place_index_forget, sender=Region, dispatch_uid="place-index-save")
        post_delete.connect(place_index_forget, sender=Region, dispatch_uid="place-index-delete")
        regions_changed.connect(place_index_forget, dispatch_uid="place-index-import")
