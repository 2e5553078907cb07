"""Chinese text normalisation: Traditional input is folded to Simplified before search
and classification, so either script finds and means the same thing."""

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Simplified Chinese, and the same whichever script came in. OpenCC's t2s is not
    idempotent on a few phrases (繁 打壞 → 打坏, but 打坏 → 打坯, as 坏 is also an old form
    of 坯), so a changed text is converted again until it stops changing: 打壞 and 打坏
    then both become 打坯 and find each other. Text with nothing to convert (most
    Simplified input) costs one pass."""
    if not text:
        return text
    convert = _t2s().convert
    for _ in range(3):
        converted = convert(text)
        if converted == text:
            break
        text = converted
    return text


def search_form(text: str) -> str:
    """The form stored for and compared in substring search: Simplified, case-folded,
    full-width ASCII folded to half-width."""
    if not text:
        return ""
    folded = text.translate(_FULLWIDTH)
    return to_simplified(folded).casefold()


# Full-width ASCII (Ｆ！１) typed by Chinese IMEs maps to half-width.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
