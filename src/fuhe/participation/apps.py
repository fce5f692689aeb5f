from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipationConfig(AppConfig):
    name = "fuhe.participation"
    label = "participation"
    verbose_name = _("Participation and the points ledger")

    def ready(self) -> None:
        from fuhe.participation.rules import earning_certified, earning_check_register

        # no points for service in a field the earner holds no valid certification for (docs/participation.md)
        earning_check_register(earning_certified)
