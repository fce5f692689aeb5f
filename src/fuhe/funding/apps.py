from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "fuhe.funding"
    label = "funding"
    verbose_name = _("Project funding")

    def ready(self) -> None:
        from fuhe.funding import rules  # noqa: F401 - registers the permissions
