"""Confidence that means something: the unit's confidence sums its items, the auto-dispatch threshold is the one
measured when the model was trained, and the measurement (calibration, threshold) is stored with the model."""

import pytest

from fuhe.cases.services.intake import case_create
from fuhe.duties.core.sheet import ItemRow
from fuhe.routing.models import RoutingExample, RoutingModel
from fuhe.routing.services import auto_dispatch_threshold, case_route, recommend, routing_model_train
from tests.duties.factories import ITEMS, district_governments, make_list


def new_case(tree, text):
    return case_create(actor=None, channel="hotline", text=text, region=tree.regions["花园路社区"]).case


def test_the_unit_is_as_likely_as_its_items_together(tree):
    district_governments(tree)
    second = ItemRow(
        0,
        "CG-09",
        "道路照明",
        "",
        "district",
        "",
        "urban_management",
        [],
        "《城市道路照明设施管理规定》",
        ["路灯", "照明"],
    )
    make_list(tree, items=[*ITEMS, second])
    recommendation = recommend(new_case(tree, "小区门口路灯不亮，晚上很黑"))
    top = recommendation.top
    same_owner = [c for c in recommendation.candidates if c.item.owner_key == top.item.owner_key]
    assert top.item.owner_key == "department:urban_management" and len(same_owner) == 3  # CG-01, CG-02, CG-09
    assert recommendation.confidence == pytest.approx(sum(c.score for c in same_owner), abs=1e-6)
    assert recommendation.confidence > top.score
    routing = recommendation.as_routing(decision="preview", threshold=None)
    assert routing["confidence"] > routing["item_confidence"]


def test_the_measured_threshold_is_read_from_the_active_model(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "measured"
    assert auto_dispatch_threshold() is None  # no model, no measurement: nobody is dispatched alone
    model = routing_model_train()
    model.metrics = {**model.metrics, "auto_dispatch": {"threshold": 0.42, "precision": 0.97}}
    model.save(update_fields=["metrics"])
    assert auto_dispatch_threshold() == 0.42
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "0.9"  # an operator's override
    assert auto_dispatch_threshold() == 0.9


def test_without_a_measurement_nothing_is_dispatched_alone(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "measured"
    routing_model_train()  # no held-out examples: no threshold measured
    routing = case_route(case=new_case(tree, "花园路3号楼前井盖缺失，夜里很危险"))
    assert routing["decision"] == "queued" and routing["threshold"] is None


def test_training_stores_the_calibration_and_the_threshold_measured_on_held_out_examples(tree, duty_list, settings):
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "measured"
    texts = {
        "CG-01": ["路灯不亮{}号", "井盖丢了{}号", "窨井盖破损{}处"],
        "SQ-01": ["物业不管楼道{}层", "电梯坏了物业不修{}号楼", "物业费乱收{}元"],
        "ST-01": ["夜里噪音扰民{}点", "饭店油烟扰民{}家", "工厂噪声{}分贝"],
    }
    owners = {"CG-01": "department:urban_management", "SQ-01": "community", "ST-01": "department:ecology"}
    RoutingExample.objects.bulk_create(
        RoutingExample(title="", text=template.format(n), duty_item_code=code, owner_key=owners[code], source="seed")
        for code, templates in texts.items()
        for template in templates
        for n in range(40)
    )
    disputed = ["CG-01", "ST-01"]  # dispatchers disagree on these: the calibration has mistakes to learn from
    RoutingExample.objects.bulk_create(
        RoutingExample(
            title="",
            text="路边摊占道经营",
            duty_item_code=disputed[n % 2],
            owner_key=owners[disputed[n % 2]],
            source="seed",
        )
        for n in range(80)
    )
    model = routing_model_train()
    measured = model.metrics["auto_dispatch"]
    assert model.metrics["held_out"] > 20 and model.metrics["calibration"]["a"] < 0  # rises with the confidence
    assert measured["precision"] >= 0.95 and measured["goal"] == 0.95 and measured["cases"] >= 20
    assert measured["rule"] == "clopper-pearson" and measured["level"] == 0.95
    assert 0.95 <= measured["lower_bound"] <= measured["precision"] and measured["cases"] >= 59
    assert auto_dispatch_threshold() == measured["threshold"]
    assert RoutingModel.objects.get(is_active=True) == model


def test_a_few_dozen_right_held_out_cases_do_not_open_the_gate(tree, duty_list, settings):
    """All held-out cases right, but too few to be 95 % sure of 95 % precision: no threshold, nobody dispatched
    automatically (the measured share alone would have opened it)."""
    settings.FUHE_AUTO_DISPATCH_CONFIDENCE = "measured"
    texts = {"CG-01": "路灯不亮{}号", "SQ-01": "物业不管楼道{}层", "ST-01": "工厂噪声{}分贝"}
    owners = {"CG-01": "department:urban_management", "SQ-01": "community", "ST-01": "department:ecology"}
    RoutingExample.objects.bulk_create(
        RoutingExample(title="", text=template.format(n), duty_item_code=code, owner_key=owners[code], source="seed")
        for code, template in texts.items()
        for n in range(40)
    )
    model = routing_model_train()
    held = model.metrics["held_out"]
    assert 20 <= held < 59 and model.metrics["candidate"]["owner_accuracy"] >= 0.95
    assert model.metrics["auto_dispatch"] == {"threshold": None, "measured_on": held}
    assert auto_dispatch_threshold() is None
