from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "fuhe.cases"
    label = "cases"
    verbose_name = _("Cases (respond-on-receipt)")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from fuhe.cases.services.intake import region_names_forget
        from fuhe.org.models import Region, Unit
        from fuhe.org.signals import regions_changed

        for model in (Region, Unit):
            post_save.connect(region_names_forget, sender=model, dispatch_uid=f"region-names-{model.__name__}-save")
            post_delete.connect(region_names_forget, sender=model, dispatch_uid=f"region-names-{model.__name__}-del")
        regions_changed.connect(region_names_forget, dispatch_uid="region-names-import")

        from fuhe.cases.events import ImportJobQueued
        from fuhe.cases.tasks import on_import_job_queued
        from fuhe.common.events import subscribe

        subscribe(ImportJobQueued, on_import_job_queued)

        from django.core import checks

        from fuhe.cases.checks import calendar_schedule_check

        checks.register(calendar_schedule_check)
