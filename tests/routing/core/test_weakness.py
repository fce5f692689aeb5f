"""The reasons a recommendation is weak, row by row of the table in ``routing.core.weakness``."""

from fuhe.routing.core.weakness import Candidate, Evidence, Reason, Weakness, is_weak, letters, weak_reasons

LONG = "花园路3号楼前井盖缺失，夜里很危险，请尽快处理"
A, B = Candidate("CG-01 市政设施维护", 0.40), Candidate("JD-01 违章建筑查处", 0.37)


def kinds(reasons):
    return [reason.kind for reason in reasons]


def test_no_duty_list_is_the_only_reason_when_nothing_could_be_matched():
    assert weak_reasons(Evidence(has_duty_list=False, text="x"), threshold=0.85) == [Reason(Weakness.NO_DUTY_LIST)]
    assert kinds(weak_reasons(Evidence(has_duty_list=True, candidates=()), threshold=0.85)) == [Weakness.NO_DUTY_LIST]


def test_a_confident_recommendation_has_no_reasons_even_with_a_short_text():
    strong = Evidence(True, (Candidate("CG-01", 0.90), Candidate("JD-01", 0.88)), keyword_found=False, text="井盖")
    assert weak_reasons(strong, threshold=0.85) == []


def test_no_keyword_matched():
    evidence = Evidence(True, (Candidate("CG-01", 0.5), Candidate("JD-01", 0.2)), keyword_found=False, text=LONG)
    assert kinds(weak_reasons(evidence, threshold=0.85)) == [Weakness.NO_KEYWORD]


def test_two_items_tie_and_both_are_named():
    reasons = weak_reasons(Evidence(True, (A, B), keyword_found=True, text=LONG), threshold=0.85)
    assert reasons == [Reason(Weakness.TIE, ("CG-01 市政设施维护", "JD-01 违章建筑查处"))]
    apart = Evidence(True, (A, Candidate("JD-01", 0.30)), keyword_found=True, text=LONG)
    assert weak_reasons(apart, threshold=0.85) == [Reason(Weakness.LOW_CONFIDENCE)]  # weak, for no other reason


def test_a_very_short_text_counts_letters_not_punctuation():
    assert letters("路灯坏了！！ 。。") == 4
    short = Evidence(True, (Candidate("CG-01", 0.5),), keyword_found=True, text="路灯坏了！！！！！！！")
    assert kinds(weak_reasons(short, threshold=0.85)) == [Weakness.SHORT_TEXT]


def test_all_reasons_together_in_the_tables_order():
    evidence = Evidence(True, (A, B), keyword_found=False, text="有问题")
    assert kinds(weak_reasons(evidence, threshold=0.85)) == [Weakness.NO_KEYWORD, Weakness.TIE, Weakness.SHORT_TEXT]


def test_the_bar_is_the_threshold_or_the_default_when_auto_dispatch_is_off():
    assert is_weak(0.5, 0.6) and not is_weak(0.7, 0.6)
    assert is_weak(0.8, None) and not is_weak(0.9, None)
    assert is_weak(None, 0.1)


def test_a_gap_in_the_list_is_said_even_above_the_threshold():
    strong = Evidence(True, (Candidate("QT-02 电力供应", 0.97),), keyword_found=True, text=LONG, is_gap=True)
    assert kinds(weak_reasons(strong, threshold=0.85)) == [Weakness.GAP]
    weak = Evidence(True, (Candidate("QT-02 电力供应", 0.5),), keyword_found=True, text=LONG, is_gap=True)
    assert kinds(weak_reasons(weak, threshold=0.85)) == [Weakness.GAP, Weakness.LOW_CONFIDENCE]
