"""Chinese text normalisation: Traditional input is folded to Simplified before search
and classification, so either script finds and means the same thing."""

from functools import lru_cache

import opencc


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    return _t2s().convert(text) if text else text


def search_form(text: str) -> str:
    """The form stored for and compared in substring search: Simplified, case-folded,
    full-width ASCII folded to half-width."""
    if not text:
        return ""
    folded = text.translate(_FULLWIDTH)
    return to_simplified(folded).casefold()


# Full-width ASCII (Ｆ！１) typed by Chinese IMEs maps to half-width.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
