"""Evidence suggestions (clusters of cases per community and category) and the inclusion report."""

from fuhe.cases.models import Category, Channel
from fuhe.cases.services.intake import case_create
from fuhe.deliberation import services
from fuhe.deliberation.selectors import case_clusters, inclusion_report
from tests.deliberation.conftest import make_residents


def test_cases_in_the_grids_of_one_community_form_one_cluster(tree):
    category = Category.objects.create(name="噪音", level=1, path="噪音")
    for grid in ("花园路社区第1网格", "花园路社区第2网格", "花园路社区第1网格"):
        case_create(actor=None, channel=Channel.HOTLINE, text="夜间噪音", region=tree.regions[grid], category=category)
    case_create(
        actor=None, channel=Channel.HOTLINE, text="夜间噪音", region=tree.regions["五大道社区"], category=category
    )
    clusters = case_clusters(user=tree.people["dispatcher"])
    assert [(c.region.name, len(c.case_ids)) for c in clusters] == [("花园路社区", 3)]
    assert case_clusters(user=tree.people["jz-dispatcher"]) == []  # another district's staff see none


def test_inclusion_counts_residents_once_suppresses_small_cells_and_separates_the_assisted(tree, settings):
    settings.FUHE_DELIBERATION_MIN_CELL = 3
    elders = make_residents(tree, "花园路社区第1网格", 2, prefix="elder", id_number="12010119400101123X")
    others = make_residents(tree, "花园路社区第1网格", 4, prefix="young", id_number="120101199501011248")
    region = tree.regions["花园路社区"]
    topic = services.topic_raise(actor=tree.people["community"], title="加装电梯", region=region)
    for person in others:
        services.view_record(actor=person, topic=topic, text="支持")
        services.view_record(actor=person, topic=topic, text="再补充一点")  # still one participant
    for person in elders:
        services.view_record(actor=tree.people["grid"], topic=topic, text="支持", person=person)
    region.population = 1200
    region.save()
    report = inclusion_report(region=region)
    cells = {(c.attribute, c.value): c for c in report.cells}
    assert report.total == 6
    assert cells[("assisted", "unassisted")].count == 4
    assert cells[("assisted", "assisted")].is_suppressed  # 2 < 3
    assert cells[("age_band", "75_plus")].is_suppressed
    assert cells[("gender", "female")].count == 4
    assert cells[("gender", "female")].share_of_population == 4 / 1200
