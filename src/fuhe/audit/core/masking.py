"""Masking of personal data (phone numbers, ID numbers, exact addresses) for people who do not need it."""

from __future__ import annotations

import re

PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
ID_NUMBER_RE = re.compile(r"(?<![\dA-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![\dA-Za-z])")


def mask_phone(phone: str | None) -> str:
    """138****1234 for mobiles; landlines keep area code and last four digits."""
    if not phone:
        return ""
    digits = re.sub(r"\D", "", phone)
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


def mask_text(text: str) -> str:
    """Mask phone numbers and ID numbers wherever they appear in free text (logs, descriptions)."""
    text = ID_NUMBER_RE.sub(lambda m: f"{m.group(1)}********{m.group(3)}", text)
    text = PHONE_RE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return text
