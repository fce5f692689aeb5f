"""The redaction corpus through the staff case page (roles that see masked phones) and the workbook export."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.audit.core.test_redaction_corpus import NEGATIVE, POSITIVE

TYPED = "\n".join(typed for typed, _shown in POSITIVE)
SHOWN = "\n".join(shown for _typed, shown in POSITIVE)
SECRETS = ["12010119900101123X", "6222021234567890123", "津A12345", "2单元501室", "张三", "欧阳娜娜"]


FULL_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


@pytest.fixture
def corpus_case(new_case):
    case = new_case(
        text=f"{TYPED}\n" + "\n".join(kept for kept in NEGATIVE if kept),
        reporter_name="王小明",
        address="花园路社区3号楼2单元501室",
    )
    case.reply_text = "已联系业主：孙丽 13812345678，更换井盖"
    case.save(update_fields=["reply_text"])
    return case


@pytest.mark.parametrize("who", ["community", "leader", "supervisor"])
def test_a_masked_role_sees_every_corpus_entry_redacted(tree, login, corpus_case, who):
    client = login(tree.people[who])
    page = client.get(reverse("cases:detail", args=[corpus_case.pk])).content.decode()
    for _typed, shown in POSITIVE:
        assert shown in page, shown
    for kept in NEGATIVE:
        assert kept in page, kept
    for secret in [*SECRETS, "王小明", "孙丽"]:
        assert secret not in page, secret
    assert not FULL_PHONE.search(page)
    assert "王**" in page and "孙*" in page and "花园路社区3号楼*单元***室" in page


def test_the_rates_workbook_carries_no_case_text(tree, login, corpus_case):
    client = login(tree.people["dispatcher"])
    response = client.get(reverse("cases:rates"), {"by": "street", "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    cells = " ".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row if c.value)
    assert "劝业场街道" in cells
    for secret in [*SECRETS, "王小明"]:
        assert secret not in cells
    assert not FULL_PHONE.search(cells)


@pytest.mark.parametrize("who", ["community", "dispatcher"])
def test_the_worklist_shows_titles_redacted(tree, login, new_case, who):
    """A title is the first words of the text: the worklist showed a phone typed there in full."""
    case = new_case(text="13912345678 楼下井盖丢了，我叫张三", reporter_name="王小明")
    page = login(tree.people[who]).get(reverse("cases:worklist"), {"state": "all"}).content.decode()
    assert case.tracking_code in page and "139****5678" in page
    assert "13912345678" not in page and "张三" not in page
