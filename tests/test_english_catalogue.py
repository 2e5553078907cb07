"""The English catalogue is complete and compiled: every message in the .po has an English
text, none is a fuzzy guess, and the compiled .mo gives the same text (a user choosing
English never meets a Chinese message that has a translation on disk)."""

import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parents[1] / "aftersales/locale/en/LC_MESSAGES/django.po"
ENTRY = re.compile(
    r'^(#, [^\n]*\n)?(?:#\|[^\n]*\n)*(?:msgctxt ("[^\n]*")\n)?'
    r'msgid ((?:"[^\n]*"\n)+)msgstr ((?:"[^\n]*"\n)+)',
    re.M,
)


def _text(quoted: str) -> str:
    return "".join(
        bytes(line[1:-1], "utf-8").decode("unicode_escape").encode("latin-1").decode("utf-8")
        for line in quoted.strip().splitlines()
    )


def _entries() -> list[tuple[str, str, bool, str | None]]:
    """(msgid, msgstr, fuzzy, msgctxt) of every message."""
    return [
        (
            _text(m.group(3)),
            _text(m.group(4)),
            "fuzzy" in (m.group(1) or ""),
            _text(m.group(2)) if m.group(2) else None,
        )
        for m in ENTRY.finditer(PO.read_text(encoding="utf-8"))
        if _text(m.group(3))
    ]


def test_every_message_has_an_english_text_and_none_is_fuzzy():
    entries = _entries()
    assert len(entries) > 400
    assert [m for m, s, _, _ in entries if not s] == []
    assert [m for m, _, fuzzy, _ in entries if fuzzy] == []


def test_the_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations(open(PO.with_suffix(".mo"), "rb"))
    stale = [
        m
        for m, s, _, context in _entries()
        if (compiled.pgettext(context, m) if context else compiled.gettext(m)) != s
    ]
    assert stale == []
