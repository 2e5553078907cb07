"""Chinese phone numbers: normalisation, validation and the mask shown in lists and logs."""

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$")
_STRIP = re.compile(r"[\s\-()（）]")


class InvalidPhone(ValueError):
    pass


def normalize_phone(raw: str) -> str:
    """Return the canonical digits of a mainland mobile or landline number, or raise."""
    if raw is None:
        raise InvalidPhone("empty")
    value = _STRIP.sub("", str(raw).strip().translate(_FULLWIDTH_DIGITS))
    if value.startswith("+86"):
        value = value[3:]
    elif value.startswith("0086"):
        value = value[4:]
    elif value.startswith("86") and len(value) == 13:
        value = value[2:]
    if _MOBILE.match(value) or _LANDLINE.match(value):
        return value
    raise InvalidPhone(raw)


def mask_phone(phone: str) -> str:
    """138****1234 for mobiles; the middle digits hidden the same way for landlines."""
    if not phone:
        return ""
    if len(phone) <= 7:
        return phone[:1] + "*" * (len(phone) - 1)
    return phone[:3] + "****" + phone[-4:]


_FULLWIDTH_DIGITS = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)} | {0xFF0B: ord("+")}
