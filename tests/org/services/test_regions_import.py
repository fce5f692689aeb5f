import pytest
from django.core.management import CommandError, call_command

from fuhe.audit.models import AuditEvent
from fuhe.org.models import Region
from tests.org.core.test_divisions import VILLAGES, write_tree


@pytest.mark.django_db
def test_import_is_idempotent_and_audited(tmp_path):
    write_tree(tmp_path, VILLAGES)
    call_command("import_divisions", "--dir", str(tmp_path), "--no-progress", verbosity=0)
    first = list(Region.objects.values_list("id", "name", "parent_id", "kind").order_by("id"))
    call_command("import_divisions", "--dir", str(tmp_path), "--no-progress", verbosity=0)
    assert list(Region.objects.values_list("id", "name", "parent_id", "kind").order_by("id")) == first
    assert len(first) == 8
    village = Region.objects.get(code="120119100201")
    assert village.parent.name == "渔阳镇" and village.kind == "rural"
    events = list(AuditEvent.objects.filter(action="org.regions_imported"))
    assert [e.summary["created"] for e in events] == [8, 0]


@pytest.mark.django_db
def test_import_is_all_or_nothing(tmp_path):
    write_tree(tmp_path, VILLAGES)
    call_command("import_divisions", "--dir", str(tmp_path), "--no-progress", verbosity=0)
    renamed = VILLAGES.replace("花园路社区居委会", "改名社区居委会") + '120101001009,"",120101001,12,1201,120101,\n'
    write_tree(tmp_path, renamed)
    with pytest.raises(CommandError, match="line 4, field 'name'"):
        call_command("import_divisions", "--dir", str(tmp_path), "--no-progress", verbosity=0)
    assert Region.objects.get(code="120101001001").name == "花园路社区居委会"  # nothing half-written


@pytest.mark.django_db
def test_import_reports_bad_arguments(tmp_path):
    with pytest.raises(CommandError, match="--dir"):
        call_command("import_divisions", "--dir", str(tmp_path / "missing"))
    write_tree(tmp_path, VILLAGES)
    with pytest.raises(CommandError, match="--only：'x1' 不是代码前缀"):
        call_command("import_divisions", "--dir", str(tmp_path), "--only", "x1")


@pytest.mark.django_db
def test_the_summary_is_in_the_administrator_language(tmp_path):
    import io

    from django.utils import translation

    write_tree(tmp_path, VILLAGES)
    out = io.StringIO()
    with translation.override("en"):
        call_command("import_divisions", "--dir", str(tmp_path), "--no-progress", stdout=out)
    assert "8 regions (" in out.getvalue() and "8 created, 0 updated in" in out.getvalue()
    assert "province 1" in out.getvalue()
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("import_divisions", "--dir", str(tmp_path), "--no-progress", stdout=out)
    assert "省级 1" in out.getvalue() and "province" not in out.getvalue()  # each level by its Chinese label
