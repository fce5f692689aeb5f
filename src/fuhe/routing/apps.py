from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "fuhe.routing"
    label = "routing"
    verbose_name = "Routing"
