import pytest

from fuhe.audit.models import AuditEvent
from fuhe.cases.models import Case, CaseEvent, Notification
from fuhe.cases.services.intake import case_create
from fuhe.routing.services import auto_dispatch_threshold, case_route, routing_model_train

TEXT = "花园路3号楼前井盖缺失，夜里很危险"


def new_case(tree):
    return case_create(actor=None, channel="hotline", text=TEXT, region=tree.regions["花园路社区"]).case


def test_above_the_threshold_the_case_is_dispatched_automatically_and_logged(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = 0.01
    model = routing_model_train()
    case = new_case(tree)
    routing = case_route(case=case)
    case.refresh_from_db()
    assert case.state == "dispatched" and case.owner_unit == tree.units["和平区城管委"]
    assert routing["decision"] == "auto_dispatched" and case.routing["decision"] == "auto_dispatched"
    event = CaseEvent.objects.get(case=case, action="dispatch")
    assert event.actor is None and event.data["auto"] is True and event.data["duty_item"] == "CG-01"
    assert event.data["model_version"] == model.version == routing["model"]["version"]
    assert AuditEvent.objects.filter(action="routing.auto_dispatch").count() == 1
    assert Notification.objects.filter(recipient=tree.people["handler"], case=case).exists()


def test_below_the_threshold_the_case_waits_with_the_recommendation(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = 0.999
    case = new_case(tree)
    case_route(case=case)
    case.refresh_from_db()
    assert case.state == "received" and case.routing["decision"] == "queued"
    assert case.routing["item"]["code"] == "CG-01" and case.routing["threshold"] == 0.999


@pytest.mark.parametrize("value", [None, "off", ""])
def test_the_threshold_can_be_switched_off(settings, value):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = value
    assert auto_dispatch_threshold() is None


def test_only_a_versioned_model_dispatches_alone(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = 0.01
    routing = case_route(case=new_case(tree))  # no trained model yet: the cold start only recommends
    assert routing["model"]["kind"] == "cold_start" and routing["decision"] == "queued"


def test_a_fallback_owner_is_never_dispatched_automatically(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = 0.01
    routing_model_train()
    case = case_create(
        actor=None, channel="hotline", text="共享单车乱停放堵住了路口共享单车", region=tree.regions["花园路社区"]
    ).case
    routing = case_route(case=case)
    assert routing["item"]["code"] == "QT-01" and routing["fallback"] and routing["decision"] == "queued"


def test_intake_routes_the_case_once_it_is_committed(tree, duty_list, settings, django_capture_on_commit_callbacks):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(tree)
    assert Case.objects.get(pk=case.pk).routing["item"]["code"] == "CG-01"


def test_a_routing_failure_never_breaks_intake(tree, duty_list, monkeypatch, django_capture_on_commit_callbacks):
    def broken(**kwargs):
        raise RuntimeError("model store unavailable")

    monkeypatch.setattr("fuhe.routing.services.case_route", broken)
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(tree)
    assert Case.objects.get(pk=case.pk).state == "received"


@pytest.fixture
def queued_tasks():
    """Tasks are queued as in production (not run in-process) for the length of the test."""
    from huey.contrib.djhuey import HUEY
    from huey.storage import MemoryStorage

    HUEY.immediate = False
    HUEY.storage = MemoryStorage(HUEY.name)
    yield HUEY
    HUEY.immediate = True


def test_intake_leaves_routing_to_the_background_worker(
    tree, duty_list, settings, queued_tasks, django_capture_on_commit_callbacks
):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(tree)
    assert Case.objects.get(pk=case.pk).routing == {}  # the classifier did not run inside the request
    assert queued_tasks.pending_count() == 1
    task = queued_tasks.dequeue()
    assert task.name.endswith("route_cases") and task.args == (None,)  # a batch: every unrouted case
    assert task.eta is not None  # after a short delay, so that the intakes meanwhile share it
    run_now(queued_tasks, task)
    assert Case.objects.get(pk=case.pk).routing["item"]["code"] == "CG-01"


def run_now(huey, task):
    task.eta = None
    huey.immediate = True  # run it here, on the test's connection
    huey.execute(task)


def test_intakes_within_the_delay_share_one_batch(
    tree, duty_list, settings, queued_tasks, django_capture_on_commit_callbacks, monkeypatch
):
    import fuhe.routing.tasks as tasks

    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    clock = [1000.0]
    monkeypatch.setattr(tasks.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(tasks, "_scheduled_until", 0.0)
    cases = []
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            cases.append(new_case(tree))
        clock[0] += 0.1
    assert queued_tasks.pending_count() == 1
    clock[0] += tasks.ROUTE_DELAY  # the batch has run by now: the next intake queues a new one
    with django_capture_on_commit_callbacks(execute=True):
        cases.append(new_case(tree))
    assert queued_tasks.pending_count() == 2
    first, second = queued_tasks.dequeue(), queued_tasks.dequeue()
    run_now(queued_tasks, first)
    assert all(Case.objects.get(pk=case.pk).routing["item"]["code"] == "CG-01" for case in cases)
    routed_at = [Case.objects.get(pk=case.pk).routing["routed_at"] for case in cases]
    run_now(queued_tasks, second)  # finds nothing left to route
    assert [Case.objects.get(pk=case.pk).routing["routed_at"] for case in cases] == routed_at


def test_the_minute_sweep_routes_cases_whose_routing_was_never_queued(
    tree, duty_list, settings, queued_tasks, monkeypatch, django_capture_on_commit_callbacks
):
    from fuhe.routing.tasks import route_missed

    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = None
    monkeypatch.setattr(
        "fuhe.routing.tasks.route_cases.schedule", lambda **kwargs: (_ for _ in ()).throw(OSError("queue down"))
    )
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(tree)
    assert Case.objects.get(pk=case.pk).routing == {}
    queued_tasks.immediate = True
    assert route_missed.call_local() == 1
    assert Case.objects.get(pk=case.pk).routing["item"]["code"] == "CG-01"
    assert route_missed.call_local() == 0


def test_a_queue_failure_never_breaks_intake(tree, duty_list, monkeypatch, django_capture_on_commit_callbacks):
    def unavailable(case_pk):
        raise OSError("task queue unavailable")

    monkeypatch.setattr("fuhe.routing.tasks.route_cases", unavailable)
    with django_capture_on_commit_callbacks(execute=True):
        case = new_case(tree)
    assert Case.objects.get(pk=case.pk).state == "received"
