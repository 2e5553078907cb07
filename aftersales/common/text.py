"""Text as stored and searched: free text cleaned of control and bidi characters at intake
(`clean_text`, `clean_line`), and Chinese normalisation: Traditional input is folded to
Simplified before search and classification, so either script finds and means the same
thing."""

import re
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


# --- hygiene: what intake keeps of free text --------------------------------------------
# Control characters (C0 but tab and newline, DEL, C1) are invisible or move a terminal's
# cursor; bidi overrides and marks make "张\u202e三" display reversed and let a file name
# or a phone number read differently from what is stored (Trojan Source, CVE-2021-42574).
# U+FEFF is a byte-order mark pasted from files. Zero-width joiners stay: emoji need them.
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_DROP = {
    cp: None
    for cp in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0), *_BIDI, 0xFEFF)
    if cp not in (0x09, 0x0A)
}
# Line and paragraph separators count as newlines; NEL (U+0085) too.
_LINE_BREAKS = str.maketrans({"\r": "\n", "\x85": "\n", "\u2028": "\n", "\u2029": "\n"})
_SUSPECT = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069\ufeff]"
)
_SUSPECT_ONE_LINE = re.compile(_SUSPECT.pattern[:-1] + "\t\n]")
_BREAK_RUN = re.compile(r"[ \t]*\n[ \t\n]*")


def clean_text(text: str, *, multiline: bool = True) -> str:
    """Free text as stored: control characters and bidi controls removed, line breaks
    normalised to "\\n" (CRLF and lone CR included), tabs kept. With multiline=False
    (names, addresses) line breaks and tabs become spaces. Leading and trailing white
    space is trimmed. Pure and idempotent."""
    if not text:
        return ""
    if not (_SUSPECT if multiline else _SUSPECT_ONE_LINE).search(text):
        return text.strip()  # nearly all text: one regex scan, no copies
    text = text.replace("\r\n", "\n").translate(_LINE_BREAKS).translate(_DROP)
    if not multiline:
        text = _BREAK_RUN.sub(" ", text).replace("\t", " ")
    return text.strip()


def clean_line(text: str) -> str:
    """A one-line value (a name, an address): clean_text with line breaks as spaces."""
    return clean_text(text, multiline=False)
