"""Importing a household register: residents in it may propose and vote without a one-by-one check; a wrong row
imports nothing and keeps the register in force; only digests are stored; only the community's staff import."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from fuhe.audit.models import AuditEvent
from fuhe.deliberation import selectors, services
from fuhe.deliberation.models import HouseholdRegister, HouseholdRegisterEntry
from fuhe.deliberation.rules import is_eligible_voter
from fuhe.deliberation.services import DeliberationError, RegisterImportError
from tests.deliberation.conftest import make_residents

IN_REGISTER = "12010119800315123X"
NOT_IN_REGISTER = "120101199012240021"


def csv_file(*numbers: str, header: str = "姓名,身份证号") -> bytes:
    return ("\n".join([header, *(f"居民{n},{number}" for n, number in enumerate(numbers))]) + "\n").encode()


def xlsx_file(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def people(tree):
    inside = make_residents(tree, "花园路社区第1网格", 1, prefix="reg", id_number=IN_REGISTER.lower())[0]
    outside = make_residents(tree, "花园路社区第2网格", 1, prefix="noreg", id_number=NOT_IN_REGISTER)[0]
    no_number = make_residents(tree, "花园路社区", 1, prefix="noid")[0]
    return inside, outside, no_number


def import_register(tree, data: bytes, filename: str = "名册.csv", actor=None, region="花园路社区"):
    return services.household_register_import(
        actor=actor or tree.people["community"], region=tree.regions[region], file=data, filename=filename
    )


def test_a_resident_in_the_register_may_propose_without_a_staff_check(tree, council, people):
    inside, outside, no_number = people
    community = tree.regions["花园路社区"]
    assert not is_eligible_voter(inside, community)
    result = import_register(tree, csv_file(IN_REGISTER, "110101196505050012"))
    assert result.people == 2 and result.replaced == 0
    assert is_eligible_voter(inside, community)
    assert not is_eligible_voter(outside, community) and not is_eligible_voter(no_number, community)
    services.proposal_submit(actor=inside, body=council, title="加装楼道灯", text="三号楼楼道太暗")
    assert selectors.register_ids(user=tree.people["community"], region=community) == {inside.pk}
    # the register is the community's only: the same number does not make anyone eligible in another community
    elsewhere = make_residents(tree, "五大道社区", 1, prefix="wd", id_number=IN_REGISTER)[0]
    assert not is_eligible_voter(elsewhere, tree.regions["五大道社区"])


def test_only_digests_are_stored_and_one_audit_event_names_the_file_and_counts(tree, people):
    import_register(tree, xlsx_file([["户籍名册"], ["姓名", "公民身份号码"], ["张三", IN_REGISTER]]), "roll.xlsx")
    entry = HouseholdRegisterEntry.objects.get()
    assert len(entry.digest) == 64 and IN_REGISTER not in entry.digest and IN_REGISTER.lower() not in entry.digest
    register = HouseholdRegister.objects.get()
    assert (register.people, register.file_name, register.imported_by) == (1, "roll.xlsx", tree.people["community"])
    event = AuditEvent.objects.get(action="deliberation.household_register_import")
    assert event.summary == {"file": "roll.xlsx", "people": 1, "replaced": 0}
    assert IN_REGISTER not in str(event.summary) and "张三" not in str(event.summary)


def test_a_new_register_replaces_the_one_in_force_and_keeps_its_history(tree, people):
    inside = people[0]
    import_register(tree, csv_file(IN_REGISTER))
    result = import_register(tree, csv_file(NOT_IN_REGISTER, "110101196505050012"))
    assert (result.people, result.replaced) == (2, 1)
    assert not is_eligible_voter(inside, tree.regions["花园路社区"])  # moved out: no longer in the roll
    assert is_eligible_voter(people[1], tree.regions["花园路社区"])
    assert HouseholdRegister.objects.count() == 2 and HouseholdRegisterEntry.objects.count() == 2
    assert selectors.register_in_force(region=tree.regions["花园路社区"]).pk == result.register.pk


def test_a_wrong_row_imports_nothing_and_the_register_in_force_stays(tree, people):
    import_register(tree, csv_file(IN_REGISTER))
    with pytest.raises(RegisterImportError) as error:
        import_register(tree, csv_file(NOT_IN_REGISTER, "12345", NOT_IN_REGISTER))
    assert [(e.row, e.field, e.code) for e in error.value.errors] == [
        (3, "id_number", "not_an_id"),
        (4, "id_number", "row_twice"),
    ]
    assert error.value.messages[1] == "第 4 行，“身份证号”：同一身份证号也在第 2 行"
    assert HouseholdRegister.objects.count() == 1 and HouseholdRegisterEntry.objects.count() == 1
    assert is_eligible_voter(people[0], tree.regions["花园路社区"])


def test_an_unreadable_file_is_named_as_such(tree, people):
    with pytest.raises(DeliberationError) as error:
        import_register(tree, b"\x00\x01", "roll.pdf")
    assert error.value.message_dict == {"file": ["只能导入 .csv、.txt 和 .xlsx 文件"]}
    with pytest.raises(RegisterImportError) as error:
        import_register(tree, "姓名,住址\n张三,花园路\n".encode())
    assert error.value.errors[0].code == "missing_column"
    assert not HouseholdRegister.objects.exists()


def test_only_the_communitys_staff_import_its_register_and_only_for_a_community(tree, people):
    for actor in (tree.people["resident"], tree.people["grid"], tree.people["jz-dispatcher"]):
        with pytest.raises(DeliberationError) as error:
            import_register(tree, csv_file(IN_REGISTER), actor=actor)
        assert "region" in error.value.message_dict
    with pytest.raises(DeliberationError):
        import_register(tree, csv_file(IN_REGISTER), region="劝业场街道")
    assert (
        not HouseholdRegister.objects.exists()
        and not AuditEvent.objects.filter(action="deliberation.household_register_import").exists()
    )


def test_the_error_keeps_an_english_reason_for_the_logs(tree, people):
    with pytest.raises(RegisterImportError) as error:
        import_register(tree, csv_file("12345"))
    assert error.value.errors[0].reason.startswith("not a resident ID number")


def test_entries_are_written_in_short_transactions_before_the_switch(tree, people, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fuhe.deliberation.services import register as module

    monkeypatch.setattr(module, "BATCH", 2)
    numbers = [IN_REGISTER, NOT_IN_REGISTER, "110101196505050012", "110101196505050020", "110101196505050039"]
    with CaptureQueriesContext(connection) as queries:
        import_register(tree, csv_file(*numbers))
    inserts = [
        q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"] and "householdregisterentry" in q["sql"]
    ]
    savepoints = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(inserts) == 3 and len(savepoints) >= 4  # three batches, then the switch, each its own transaction
    assert HouseholdRegisterEntry.objects.filter(register__in_force=True).count() == 5


def test_a_run_cut_off_before_the_switch_leaves_the_previous_register_whole(tree, people, monkeypatch):
    from fuhe.deliberation.services import register as module

    inside, outside, _ = people
    community = tree.regions["花园路社区"]
    import_register(tree, csv_file(IN_REGISTER))

    def cut_off(actor, register):
        raise KeyboardInterrupt  # the process stopped between the batches and the switch

    monkeypatch.setattr(module, "_put_in_force", cut_off)
    with pytest.raises(KeyboardInterrupt):
        import_register(tree, csv_file(NOT_IN_REGISTER))
    assert is_eligible_voter(inside, community) and not is_eligible_voter(outside, community)
    assert selectors.register_in_force(region=community).people == 1
    monkeypatch.undo()
    import_register(tree, csv_file(NOT_IN_REGISTER, "110101196505050012"))
    assert not is_eligible_voter(inside, community) and is_eligible_voter(outside, community)
    # the cut-off run's entries and the replaced register's are gone; the three imports stay as history
    assert HouseholdRegisterEntry.objects.count() == 2 and HouseholdRegister.objects.count() == 3
    assert HouseholdRegister.objects.filter(in_force=True).count() == 1
