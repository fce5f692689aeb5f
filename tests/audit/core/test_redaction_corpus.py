"""The one redaction (``fuhe.audit.core.masking.redact``) over a corpus of how residents write personal data.

Every positive case names exactly what is shown; every negative case must come back unchanged. The same corpus is
pushed through the pages, the API, the exports and the Open311 feed in ``tests/cases/views/test_redaction_pages.py``
and ``tests/api/open311/test_redaction_feed.py``."""

from __future__ import annotations

import pytest

from fuhe.audit.core.masking import half_width, mask_name, mask_phone, mask_text, redact

#: (what a resident typed, what the redaction shows)
POSITIVE = [
    # mobiles, in every spelling
    ("请回电13912345678", "请回电139****5678"),
    ("电话139-1234-5678谢谢", "电话139-****-5678谢谢"),
    ("手机 139 1234 5678", "手机 139 **** 5678"),
    ("139.1234.5678", "139.****.5678"),
    ("+86 139 1234 5678", "+86 139 **** 5678"),
    ("+8613912345678", "+86139****5678"),
    ("86-13912345678", "86-139****5678"),
    ("8613912345678", "86139****5678"),
    ("0086 13912345678", "0086 139****5678"),
    ("(+86)13912345678", "(+86)139****5678"),
    ("１３９１２３４５６７８", "１３９****５６７８"),
    ("电话：１８６－２２３３－４４５５", "电话：１８６－****－４４５５"),
    ("联系我15822223333或17700001111", "联系我158****3333或177****1111"),
    ("tel:19912345678.", "tel:199****5678."),
    # landlines with area codes; a bare local number after a cue
    ("022-2345 6789", "022-**** 6789"),
    ("(022)23456789", "(022)****6789"),
    ("（０２２）２３４５６７８９", "（０２２）****６７８９"),
    ("0222345678", "022***5678"),
    ("010 8765 4321", "010 **** 4321"),
    ("座机0316-2345678", "座机0316-***5678"),
    ("电话：23456789", "电话：****6789"),
    ("固话 2765 4321", "固话 **** 4321"),
    # ID numbers: 18 (X), spaced, dashed, full-width; the old 15
    ("身份证12010119900101123X", "身份证120101********123X"),
    ("身份证号 120101 19900101 123X", "身份证号 120101 ******** 123X"),
    ("120101-1990-0101-123x", "120101-****-****-123x"),
    ("１２０１０１１９９００１０１１２３Ｘ", "１２０１０１********１２３Ｘ"),
    ("证件号码120225200512314567", "证件号码120225********4567"),
    ("旧身份证120101900101123", "旧身份证120101******123"),
    # bank cards: after a cue, or a Luhn-valid card number
    ("银行卡号6222 0212 3456 7890 123", "银行卡号6222 **** **** ***0 123"),
    ("卡号6222021234567890123", "卡号6222***********0123"),
    ("退款到4111111111111111", "退款到4111********1111"),
    ("账号：6217 0000 1234 5678", "账号：6217 **** **** 5678"),
    # vehicle plates: the province and the letter stay
    ("车牌津A12345", "车牌津A*****"),
    ("津A·D12345新能源车", "津A·******新能源车"),
    ("京AD12345", "京A******"),
    ("粤B 12345挂", "粤B ******"),
    ("冀C8K2M7乱停", "冀C*****乱停"),
    # flats and units: street, community and building stay
    ("3号楼2单元501室", "3号楼*单元***室"),
    ("花园路3号楼2门501", "花园路3号楼*门***"),
    ("和平区劝业场街道花园路社区3-2-501", "和平区劝业场街道花园路社区3-*-***"),
    ("5号楼1单元602，楼道灯坏了", "5号楼*单元***，楼道灯坏了"),
    ("12栋1202漏水", "12栋****漏水"),
    ("8号楼5层东户", "8号楼*层东户"),
    ("二单元三楼", "*单元三楼"),
    ("西关村128号门前的树倒了", "西关村***号门前的树倒了"),
    ("门牌号12号", "门牌号**号"),
    ("2单元501户", "*单元***户"),
    # names after a cue; surname + title stays
    ("我叫张三，家住", "我叫张*，家住"),
    ("我叫张三", "我叫张*"),
    ("联系人：李四 13812345678", "联系人：李* 138****5678"),
    ("联系人张三13912345678", "联系人张*139****5678"),
    ("姓名：欧阳娜娜", "姓名：欧阳**"),
    ("我是王小明，电话", "我是王**，电话"),
    ("反映人：赵建国", "反映人：赵**"),
    ("请李四光先生来一趟", "请李**先生来一趟"),
    ("业主：孙丽", "业主：孙*"),
    # all together, as residents write
    (
        "我家住在花园里小区5号楼1单元602，电话022-27654321，我叫刘洋",
        "我家住在花园里小区5号楼*单元***，电话022-****4321，我叫刘*",
    ),
    (
        "车牌号为津B·D12345的车长期占道，车主电话 +86 138 0013 8000",
        "车牌号为津B·******的车长期占道，车主电话 +86 138 **** 8000",
    ),
]

#: text that must come back unchanged: public numbers, dates, amounts, codes, quantities, titles
NEGATIVE = [
    "拨打12345热线",
    "报警110，急救120，火警119",
    "客服400-810-8888",
    "4008108888",
    "800-820-8820",
    "银行客服95588",
    "2024年3月15日上午",
    "2024-03-15 14:30",
    "2024/03/15",
    "20240315",
    "时间13:00-14:00",
    "金额12345.67元",
    "共计150000元",
    "罚款1,380.00元",
    "案件F2345ABCD",
    "查询码F7K2M9QX3",
    "订单号2020010112345678901",
    "工单号202403150001",
    "快递单号 7312345678901234",
    "邮编300020",
    "300平方米",
    "楼高5层，共有3户",
    "3号楼 2024年",
    "3号楼有50户居民",
    "花园路12号",
    "花园路3号楼",
    "张先生反映",
    "王女士说楼道很黑",
    "李师傅来修过",
    "李某某",
    "业主和物业",
    "业主反映楼道灯坏了",
    "本人于今天发现",
    "我是居民",
    "王府井大街",
    "39.117356,117.201234",
    "13912345678901",
    "1391234",
    "第2023号文件",
    "京津冀协同发展",
    "",
]


@pytest.mark.parametrize(("typed", "shown"), POSITIVE)
def test_personal_data_is_hidden(typed, shown):
    assert redact(typed) == shown


@pytest.mark.parametrize("typed", NEGATIVE)
def test_other_numbers_and_words_stay(typed):
    assert redact(typed) == typed


def test_the_corpus_is_large_enough():
    assert len(POSITIVE) + len(NEGATIVE) >= 60 and len(POSITIVE) >= 40


@pytest.mark.parametrize(("typed", "shown"), POSITIVE)
def test_redaction_is_idempotent_and_keeps_the_length(typed, shown):
    assert redact(shown) == shown
    assert len(shown) == len(typed)


def test_mask_text_is_the_same_function():
    for typed, shown in POSITIVE:
        assert mask_text(typed) == shown


def test_half_width_keeps_positions():
    assert half_width("１３９（０２２）：ＡＢ　x") == "139(022):AB x"


def test_none_and_empty():
    assert redact(None) == "" and redact("") == ""


def test_mask_phone_reads_full_width_and_country_code():
    assert mask_phone("１３９１２３４５６７８") == "139****5678"
    assert mask_phone("+86 139 1234 5678") == "139****5678"


def test_mask_name_keeps_the_surname():
    assert mask_name("王小明") == "王**"
    assert mask_name("欧阳娜娜") == "欧阳**"
    assert mask_name("") == ""
