from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "fuhe.routing"
    label = "routing"
    verbose_name = "Routing"

    def ready(self) -> None:
        # routing listens to the contexts it serves; they never import it (docs/architecture.md, "Events")
        from fuhe.cases.events import CaseReceived
        from fuhe.common.events import subscribe
        from fuhe.duties.events import DutyListActivated
        from fuhe.routing.tasks import on_case_received, on_duty_list_activated

        subscribe(CaseReceived, on_case_received)
        subscribe(DutyListActivated, on_duty_list_activated)
