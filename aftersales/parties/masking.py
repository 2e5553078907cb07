"""How personal data of an order is shown to staff: enough to recognise a buyer, not to
reach them (the full phone is revealed per dispute, on the timeline)."""

import re

from aftersales.common.phones import mask_phone

__all__ = ["mask_account", "mask_address", "mask_name", "mask_phone"]


def mask_name(name: str) -> str:
    """宋艳 → 宋*; 欧阳娜娜 → 欧***."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


def mask_account(account: str) -> str:
    """tb_song → tb***g: enough to recognise it on the platform, not to look it up."""
    account = (account or "").strip()
    if len(account) <= 2:
        return account[:1] + "*" * (len(account) - 1)
    if len(account) <= 4:
        return account[:1] + "***" + account[-1:]
    return account[:2] + "***" + account[-1:]


# Province, prefecture, county: the divisions a delivery address starts with. A division
# name never holds a street word, a number or a space, so none of those is matched.
_PLAIN = r"[^省市区县路街道号镇乡村巷弄栋楼室\d\s]"
_DIVISIONS = re.compile(
    rf"^(?:{_PLAIN}{{2,8}}?(?:省|自治区|特别行政区))?"
    rf"(?:{_PLAIN}{{1,9}}?(?:自治州|地区|盟|市))?"
    rf"(?:{_PLAIN}{{1,9}}?(?:区|县|旗|市))?"
)


def mask_address(address: str) -> str:
    """浙江省杭州市西湖区文三路 1 号 → 浙江省杭州市西湖区****: the divisions down to the
    district stay, the street and number go. Without recognisable divisions only the
    first two characters stay."""
    address = (address or "").strip()
    if not address:
        return ""
    kept = _DIVISIONS.match(address).group(0) or address[:2]
    return kept[: len(address) - 1] + "****"
