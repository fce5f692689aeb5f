from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from fuhe.funding.models import Call, Tranche
from tests.funding.conftest import score_all


def _call_post(funding, **overrides):
    today = timezone.localdate()
    data = {
        "owner": funding.units["劝业场街道办事处"].pk,
        "title": "社区助老公益创投",
        "budget": "50000",
        "eligible_kinds": ["social_org"],
        "demands": [funding.demand.pk],
        "opens_on": today.isoformat(),
        "closes_on": (today + timedelta(days=10)).isoformat(),
        "minimum_score": "60",
        "panel": [funding.people["leader"].pk, funding.people["supervisor"].pk],
        "criterion_name_1": "需求契合度",
        "criterion_weight_1": "60",
        "criterion_name_2": "可行性",
        "criterion_weight_2": "40",
    }
    data.update(overrides)
    return data


def test_publish_form_refuses_bad_weights_naming_the_criteria_and_publishes_good_ones(funding, login):
    client = login(funding.people["dispatcher"])
    client.cookies["django_language"] = "en"
    assert client.get(reverse("funding:call_new")).status_code == 200
    response = client.post(reverse("funding:call_new"), _call_post(funding, criterion_weight_2="30"))
    assert response.status_code == 400
    assert "must sum to 100 (they sum to 90)" in response.content.decode()
    assert not Call.objects.exists()
    response = client.post(reverse("funding:call_new"), _call_post(funding))
    call = Call.objects.get()
    assert response.status_code == 302 and response.url == reverse("funding:call_detail", args=[call.pk])
    page = client.get(reverse("funding:call_list"))
    assert f'data-call="{call.pk}"' in page.content.decode()


def test_pages_of_a_funded_project(funding, publish, apply, login):
    application = apply(publish())
    score_all(funding, application, 80)
    owner = login(funding.people["dispatcher"])
    owner.cookies["django_language"] = "en"
    response = owner.post(reverse("funding:call_award", args=[application.call.pk]))
    assert response.status_code == 302
    detail = owner.get(reverse("funding:application_detail", args=[application.pk]))
    assert 'id="tranche-form"' in detail.content.decode()
    bad = owner.post(
        reverse("funding:award_tranche", args=[application.pk]),
        {"amount": "60000.01", "paid_on": timezone.localdate().isoformat()},
    )
    assert bad.status_code == 400 and "left to disburse" in bad.content.decode()
    assert not Tranche.objects.exists()
    money = owner.get(reverse("funding:money_path", args=[application.call.pk]))
    assert money.status_code == 200 and 'id="money-sankey-json"' in money.content.decode()


def test_out_of_scope_pages_are_404(funding, publish, apply, login):
    application = apply(publish())
    client = login(funding.people["jz-dispatcher"])
    assert client.get(reverse("funding:call_detail", args=[application.call.pk])).status_code == 404
    assert client.get(reverse("funding:application_detail", args=[application.pk])).status_code == 404
    assert client.get(reverse("funding:money_path", args=[application.call.pk])).status_code == 404


def test_a_resident_has_no_projects_page(funding, login):
    assert login(funding.people["resident"]).get(reverse("funding:call_list")).status_code == 403
