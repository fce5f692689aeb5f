"""A small duty list for the test tree: departments, street, community matters, an overlap and a gap."""

from __future__ import annotations

from fuhe.cases.models import Category
from fuhe.duties.core.sheet import ItemRow
from fuhe.duties.services import duty_items_add, duty_list_activate, duty_list_create
from fuhe.org.models import Unit, UnitKind

CATEGORIES = [
    "城乡建设",
    "城乡建设/城市建设和市政管理",
    "城乡建设/城乡规划",
    "城乡建设/住房保障与房地产",
    "环境保护",
    "环境保护/环境污染",
]

ITEMS = [
    ItemRow(
        0,
        "CG-01",
        "市政设施维护",
        "城乡建设/城市建设和市政管理",
        "district",
        "",
        "urban_management",
        ["housing"],
        "《城市市容和环境卫生管理条例》",
        ["井盖", "路灯", "占道经营", "窨井"],
    ),
    ItemRow(
        0,
        "SQ-01",
        "物业服务纠纷协调",
        "城乡建设/住房保障与房地产",
        "community",
        "",
        "",
        [],
        "《物业管理条例》",
        ["物业", "楼道", "电梯"],
        "owned",
    ),
    ItemRow(
        0,
        "JD-01",
        "违章建筑查处",
        "城乡建设/城乡规划",
        "street",
        "",
        "",
        ["urban_management"],
        "街道综合执法",
        ["违章建筑", "私搭乱建"],
    ),
    ItemRow(0, "CG-02", "违章建筑查处", "", "district", "", "urban_management", [], "《城乡规划法》", ["违建"]),
    ItemRow(
        0,
        "ST-01",
        "噪声污染",
        "环境保护/环境污染",
        "district",
        "",
        "ecology",
        [],
        "《噪声污染防治法》",
        ["噪音", "噪声", "扰民", "油烟"],
    ),
    ItemRow(0, "QT-01", "共享单车停放管理", "", "", "", "", ["transport"], "", ["共享单车", "乱停放"]),
]


def categories() -> dict[str, Category]:
    made = {}
    for path in CATEGORIES:
        parent = made.get(path.rsplit("/", 1)[0]) if "/" in path else None
        made[path], _ = Category.objects.get_or_create(
            path=path, defaults={"name": path.rsplit("/", 1)[-1], "parent": parent, "level": path.count("/") + 1}
        )
    return made


def district_governments(tree) -> None:
    for name in ("和平区", "蓟州区"):
        Unit.objects.get_or_create(name=f"{name}人民政府", kind=UnitKind.DISTRICT_GOVERNMENT, region=tree.regions[name])
    tree.units["蓟州区生态环境局"] = Unit.objects.create(
        name="蓟州区生态环境局", kind=UnitKind.DEPARTMENT, region=tree.regions["蓟州区"], department_type="ecology"
    )


def make_list(tree, *, items=ITEMS, region="天津市", activate=True, actor=None):
    categories()
    duty_list = duty_list_create(actor=actor, region=tree.regions[region], name="测试清单")
    duty_items_add(actor=actor, duty_list=duty_list, rows=items)
    if activate:
        duty_list = duty_list_activate(actor=actor, duty_list=duty_list, retrain=False)
    return duty_list
