"""fuhe import_household_register: a county can load its villages' rolls from the command line, with the same
checks, errors and rights as the page."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from fuhe.deliberation.models import HouseholdRegister
from fuhe.deliberation.rules import is_eligible_voter
from tests.deliberation.conftest import make_residents

pytestmark = pytest.mark.django_db
NUMBER = "12011919800315123X"


def run(path, region="120119100201", username="jz-dispatcher"):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_household_register", str(path), "--region", region, "--as", username, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_village_roll_is_imported_and_its_villager_may_vote(tree, tmp_path):
    villager = make_residents(tree, "西关村第1网格", 1, prefix="xg", id_number=NUMBER)[0]
    roll = tmp_path / "西关村户籍名册.csv"
    roll.write_text(f"西关村户籍名册\n户号,姓名,身份证号码\n0001,王五,{NUMBER}\n", encoding="gb18030")
    out, _err = run(roll)
    assert "户籍名册现有 1 人（此前 0 人）" in out
    assert is_eligible_voter(villager, tree.regions["西关村"])
    assert HouseholdRegister.objects.get().imported_by == tree.people["jz-dispatcher"]


def test_a_wrong_row_is_named_and_nothing_is_written(tree, tmp_path):
    roll = tmp_path / "roll.csv"
    roll.write_text(f"身份证号\n{NUMBER}\n{NUMBER}\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="共 1 处错误"):
        call_command(
            "import_household_register", str(roll), "--region", "120119100201", "--as", "jz-dispatcher", stderr=err
        )
    assert "第 3 行，“身份证号”：同一身份证号也在第 2 行" in err.getvalue()
    with translation.override("en"), pytest.raises(CommandError):
        err = io.StringIO()
        call_command(
            "import_household_register", str(roll), "--region", "120119100201", "--as", "jz-dispatcher", stderr=err
        )
    assert err.getvalue().startswith("Row 3, column “ID number”: the same ID number is also on row 2")
    assert not HouseholdRegister.objects.exists()


def test_unknown_region_user_or_file_and_a_user_without_the_right_are_refused(tree, tmp_path):
    roll = tmp_path / "roll.csv"
    roll.write_text(f"身份证号\n{NUMBER}\n", encoding="utf-8")
    for args in (
        (tmp_path / "missing.csv", "120119100201", "jz-dispatcher"),
        (roll, "999999999999", "jz-dispatcher"),
        (roll, "120119100201", "nobody"),
        (roll, "120119100201", "dispatcher"),  # 劝业场街道's dispatcher does not manage 西关村
        (roll, "120119100", "jz-dispatcher"),  # a township, not a village
    ):
        with pytest.raises(CommandError):
            run(*args)
    assert not HouseholdRegister.objects.exists()
