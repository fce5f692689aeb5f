"""Masking of personal data (phone numbers, ID numbers, exact addresses) for people who do not need it.

``redact(text)`` is the one function that hides personal data in free text, wherever a case's words leave to
someone who must not see them: the public Open311 feed, the JSON API, staff pages of roles that see masked phones,
exports and log records (``mask_text`` is the same function under its older name). The rules:

========================  ===========================================  ==========================================
kind                      spellings recognised                         shown as
========================  ===========================================  ==========================================
mobile                    13912345678, 139-1234-5678, 139 1234 5678,   139****5678 (the middle four hidden,
                          139.1234.5678, +86 139…, 86-139…, (+86)…,    separators and prefix kept)
                          full-width digits １３９…
landline                  022-2345 6789, (022)23456789, 0222345678,    022-****6789 (area code and last four)
                          010 8765 4321; 电话 23456789 after a cue
ID number                 18 digits (X last), spaced or dashed; the     120101********123X (region and last four)
                          old 15 digits; the birth date must be valid
bank card                 16–19 digits after a cue (卡号, 银行卡,        6222 **** **** 1234 (first and last four)
                          账号), or a Luhn-valid UnionPay/Visa/Master
vehicle plate             津A12345, 津A·D12345, 京AD12345 (new energy)  津A*****, 津A·****** (province + letter)
flat and unit             2单元, 2门 (Tianjin), 501室, 5层, 3-2-501,     3号楼*单元***室: the street, community
                          3号楼501, 门牌12号, 西关村128号                  and building stay, unit and flat go
name after a cue          我叫张三, 联系人：李四, 姓名 王小明,            张*, 李*, 王**; 张先生/王女士/李师傅
                          张三先生                                       (surname + title) stay as they are
========================  ===========================================  ==========================================

Public service numbers (400/800 numbers, 12345, 110, 95588), dates, amounts, years, quantities, case codes
(F2345ABCD), order numbers and postcodes are left alone. Full-width characters are matched as their half-width
forms, and the original text is returned with only the matches replaced (``*`` for each hidden character).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator


def mask_phone(phone: str | None) -> str:
    """138****1234 for mobiles; landlines keep area code and last four digits."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", half_width(phone))
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) >= 7:
        return f"{digits[:3]}{'*' * (len(digits) - 7)}****{digits[-4:]}"[: len(digits)]
    return "*" * len(digits)


def mask_id_number(id_number: str | None) -> str:
    """Keep the 6-digit region prefix and the last four characters: 120101********123X."""
    if not id_number:
        return ""
    value = id_number.strip()
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_address(address: str | None, keep: int = 6) -> str:
    """Keep the first characters (district/street) and hide the house-level rest."""
    if not address:
        return ""
    value = address.strip()
    if len(value) <= keep:
        return value[:2] + "*" * max(len(value) - 2, 0)
    return value[:keep] + "****"


def mask_name(name: str | None) -> str:
    """The surname and a star per other character: 王小明 → 王**, 欧阳娜娜 → 欧阳**."""
    if not name:
        return ""
    value = name.strip()
    surname = 2 if value[:2] in COMPOUND_SURNAMES else 1
    return value[:surname] + "*" * (len(value) - surname)


# --- redaction of free text -------------------------------------------------------------------------------------


def half_width(text: str) -> str:
    """Full-width ASCII forms (１３９, （, －, ：) as their half-width letters, the ideographic space as a space: the
    same length, so a match's position is its position in the original."""
    return text.translate(_HALF_WIDTH)


_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_SEP = r"[ \-.]"  # between the groups of a phone number
_MOBILE = re.compile(
    r"(?<![\d+])(?<!\d[ \-.])"
    r"(?P<prefix>(?:\(\+?86\)|(?:\+|00)86|86(?=[ \-]|1[3-9]\d{9}(?!\d)))[ \-]?)?"
    r"(?P<number>1[3-9]\d" + _SEP + r"?\d{4}" + _SEP + r"?\d{4})"
    r"(?!\d)(?![ \-.]\d)"
)
_LANDLINE = re.compile(
    r"(?<![\d+])(?<!\d[ \-.])"
    r"(?P<area>\(0\d{2,3}\)|0(?:10|2\d|[3-9]\d{2}))[ \-]?"
    r"(?P<local>[2-9]\d{2,3}[ \-]?\d{4})"
    r"(?:(?:-|转|ext\.?)\d{1,5})?"
    r"(?!\d)(?![ \-.]\d)"
)
_CUED_LOCAL = re.compile(
    r"(?:电话|座机|固话|手机|联系方式|联系电话|tel|Tel|TEL)[:\s是为]{0,3}"
    r"(?P<local>[2-9]\d{2,3}[ \-]?\d{4})(?!\d)(?![ \-.]\d)"
)
_LONG_NUMBER = re.compile(r"(?<![\dA-Za-z])(?P<number>\d(?:[ \-]?\d){13,18}[ \-]?[\dXx])(?![\dA-Za-z])")
_CARD_CUE = re.compile(r"(?:卡号|银行卡|账号|帐号|卡)[:\s是为]{0,3}$")
_NOT_CARD_CUE = re.compile(r"(?:订单|单号|编号|流水|工单|批次|条码|运单|快递)[号:\s是为]{0,3}$")

_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    r"(?P<keep>[" + _PROVINCES + r"][A-HJ-NP-Z])(?P<rest>[·•・.\- ]?[A-HJ-NP-Z0-9]{5,6}[挂学警港澳]?)(?![A-Za-z0-9])"
)

_CN_NUMBER = r"[0-9一二三四五六七八九十两]+"
_END = r"(?![\d号楼栋幢座年月日元个次人间万千百块米])"  # a flat number, not a year, an amount or a quantity
_ADDRESS_PARTS = (
    re.compile(r"(?P<n>" + _CN_NUMBER + r")(?=单元)"),  # 2单元
    re.compile(r"(?<=[楼栋幢座])(?P<n>\d{1,2})(?=门)"),  # 3号楼2门 (Tianjin's word for a unit)
    re.compile(r"(?<![\d.])(?P<n>\d{1,5})(?=室)"),  # 501室
    re.compile(r"(?<=[元门楼栋幢座号])(?P<n>\d{1,5})(?=[户房层])"),  # 2单元501户, 3号楼5层
    re.compile(r"(?:(?<=单元)|(?<=[门楼栋幢座]))[-－ ]?(?P<n>\d{3,4})" + _END),  # 2单元501, 3号楼501, 3栋1202
    re.compile(r"(?<![\d\-.:/])\d{1,3}-(?P<n>\d{1,2}-(?!19\d\d|20\d\d)\d{3,4})(?![\d\-])"),  # 3-2-501
    re.compile(r"门牌号?[:\s]{0,2}(?P<n>\d{1,5})"),  # 门牌12号
    re.compile(r"(?<=[村屯庄巷里])(?P<n>\d{1,4})(?=号(?![楼院]))"),  # 西关村128号: a household's door
)

#: the commonest surnames (about 90 % of people), compound ones first
COMPOUND_SURNAMES = frozenset(
    ("欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙")
    + ("宇文", "司徒", "夏侯", "令狐", "端木", "申屠", "南宫", "独孤", "轩辕", "西门")
)
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施"
    "文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷"
    "盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷"
    "晏席卫米柏宗瞿桂佟臧闵苟邬边卞姬仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池查麻苑迟邝"
)
_TITLES = (
    "先生",
    "女士",
    "小姐",
    "师傅",
    "阿姨",
    "大爷",
    "大妈",
    "大姐",
    "大哥",
    "奶奶",
    "爷爷",
    "老师",
    "同志",
    "经理",
    "主任",
    "书记",
    "某",
    "姓",
    "家",
)
#: characters that end a name: a name is never followed by them inside itself
_NAME_STOP = set(
    "住在是的了反映家电话手机联系请想要说和与及从到给对向这那也都就又还有们，。、！？；：,.!?;: \n\t号楼栋单元室"
)
_NAME_CUE = re.compile(
    r"(?:我叫|我的名字是|我的名字叫|本人叫|本人姓名|联系人|姓名|报告人|举报人|反映人|来电人|投诉人|求助人|当事人|署名|落款)"
    r"[:\s是为叫]{0,3}"
    # weak cues: only with a colon, or before a name that ends at a comma, the end or the phone
    r"|(?:我是|本人|业主|户主)(?:[:]\s*|(?=["
    + _SURNAMES
    + r"][\u4e00-\u9fff]{1,2}(?:[,.!?;。、\s]|$|电话|手机|联系|住)))"
)
_NAME_WITH_TITLE = re.compile(r"(?P<name>[" + _SURNAMES + r"][\u4e00-\u9fff]{1,2})(?=先生|女士|小姐|师傅)")

Span = tuple[int, int, str]  # start, end, replacement


def _star_digits(original: str, keep_first: int, keep_last: int) -> str:
    """Every digit of ``original`` but the first and last few as ``*``; separators and letters stay."""
    positions = [i for i, char in enumerate(half_width(original)) if char.isdigit() or char in "Xx"]
    hidden = set(positions[keep_first : len(positions) - keep_last if keep_last else None])
    return "".join("*" if i in hidden else char for i, char in enumerate(original))


def _is_birth_date(digits: str) -> bool:
    if len(digits) == 18:
        year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
        if not 1900 <= year <= 2099:
            return False
    else:
        month, day = int(digits[8:10]), int(digits[10:12])
    return 1 <= month <= 12 and 1 <= day <= 31


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _long_numbers(text: str, normal: str) -> Iterator[Span]:
    """ID numbers (18 or 15 characters with a valid birth date) and bank cards (16–19 digits)."""
    for match in _LONG_NUMBER.finditer(normal):
        raw = match.group("number")
        digits = re.sub(r"[ \-]", "", raw)
        start, end = match.span("number")
        before = normal[max(0, start - 8) : start]
        if _NOT_CARD_CUE.search(before):
            continue
        is_id = (len(digits) == 18 and digits[:17].isdigit()) or (len(digits) == 15 and digits.isdigit())
        if is_id and _is_birth_date(digits) and not _CARD_CUE.search(before):
            yield start, end, _star_digits(text[start:end], 6, 4 if len(digits) == 18 else 3)
        elif (digits.isdigit() and 16 <= len(digits) <= 19) and (
            _CARD_CUE.search(before) or (digits[0] in "3456" and _luhn(digits))
        ):
            yield start, end, _star_digits(text[start:end], 4, 4)


def _phones(text: str, normal: str) -> Iterator[Span]:
    for match in _MOBILE.finditer(normal):
        start, end = match.span("number")
        yield start, end, _star_digits(text[start:end], 3, 4)
    for pattern in (_LANDLINE, _CUED_LOCAL):
        for match in pattern.finditer(normal):
            start, end = match.span("local")
            yield start, end, _star_digits(text[start:end], 0, 4)


def _plates(text: str, normal: str) -> Iterator[Span]:
    for match in _PLATE.finditer(normal):
        rest = match.group("rest")
        if sum(char.isdigit() for char in rest) < 3:
            continue
        start, end = match.span("rest")
        yield start, end, "".join(char if char in "·•・.- " else "*" for char in text[start:end])


def _address_parts(text: str, normal: str) -> Iterator[Span]:
    for pattern in _ADDRESS_PARTS:
        for match in pattern.finditer(normal):
            start, end = match.span("n")
            yield start, end, "".join("-" if char in "-－" else "*" for char in text[start:end])


def _given_name(normal: str, start: int) -> int:
    """The end of a name whose surname begins at ``start`` (0 when no name starts there)."""
    surname = 2 if normal[start : start + 2] in COMPOUND_SURNAMES else 1
    if surname == 1 and (start >= len(normal) or normal[start] not in _SURNAMES):
        return 0
    rest = normal[start + surname :]
    if rest.startswith(_TITLES):
        return 0  # 张先生, 王女士, 李某: already as much as may be said
    end = start + surname
    for char in rest[:2]:
        if char in _NAME_STOP or not "\u4e00" <= char <= "\u9fff":
            break
        end += 1
    return end if end > start + surname else 0


def _names(text: str, normal: str) -> Iterator[Span]:
    for match in _NAME_CUE.finditer(normal):
        start = match.end()
        end = _given_name(normal, start)
        if end:
            yield start, end, mask_name(text[start:end])
    for match in _NAME_WITH_TITLE.finditer(normal):
        start, end = match.span("name")
        if _given_name(normal, start) and normal[start + 1 : end] not in ("某", "某某"):
            yield start, end, mask_name(text[start:end])


#: in order of precedence: a span already taken is not matched again
_FINDERS: tuple[Callable[[str, str], Iterator[Span]], ...] = (_long_numbers, _phones, _plates, _address_parts, _names)


def redact(text: str | None) -> str:
    """``text`` with phone, ID, bank card and plate numbers, flat and unit numbers and names after a cue hidden.

    The one redaction of the platform (see the table in the module's docstring); the text is matched in its
    half-width form and returned as it was typed, with only the matches replaced."""
    if not text:
        return text or ""
    normal = half_width(text)
    taken: list[Span] = []
    for finder in _FINDERS:
        for start, end, replacement in finder(text, normal):
            if start < end and all(end <= s or start >= e for s, e, _r in taken):
                taken.append((start, end, replacement))
    if not taken:
        return text
    parts, position = [], 0
    for start, end, replacement in sorted(taken):
        parts += [text[position:start], replacement]
        position = end
    parts.append(text[position:])
    return "".join(parts)


def mask_text(text: str) -> str:
    """The older name of ``redact``: the same function, kept for its callers (logs, routing's masked copies)."""
    return redact(text)
