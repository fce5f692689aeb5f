from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BurdenConfig(AppConfig):
    name = "fuhe.burden"
    label = "burden"
    verbose_name = _("Burden metering and admission")
