"""The language switch in the workbench's header: the choice is remembered on the staff
profile (StaffProfile.language), so a new login session keeps it; switching back gives
Chinese. And the English catalogue has an English text for every message of the
workbench's templates and modules (and the error pages)."""

import ast
import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext
from django.utils.translation.template import templatize

from aftersales.parties.models import StaffProfile
from aftersales.parties.roles import Role
from tests.browser import PASSWORD
from tests.factories import make_staff

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "aftersales/locale/en/LC_MESSAGES/django.po"
QUEUE = "/workbench/"


def log_in(user) -> Client:
    """A new browser session through the login form (not force_login)."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": QUEUE}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def nav_label(code: str, text: str = "投诉队列") -> str:
    with translation.override(code):
        return pgettext("workbench nav", text)


@pytest.mark.django_db
def test_english_is_remembered_across_sessions_and_chinese_comes_back():
    agent = make_staff(Role.AGENT)
    web = log_in(agent)
    html = web.get(QUEUE).content.decode()
    assert '<html lang="zh-CN">' in html
    assert "投诉队列" in html

    switched = web.post(reverse("workbench:set_language"), {"language": "en", "next": QUEUE})
    assert switched.status_code == 302 and switched["Location"] == QUEUE
    assert StaffProfile.objects.get(user=agent).language == "en"

    english = nav_label("en")
    assert english != "投诉队列", "the English catalogue has the navigation"
    html = web.get(QUEUE).content.decode()
    assert '<html lang="en">' in html
    assert english in html
    assert "投诉队列" not in html

    # A new session (another browser, no language cookie) keeps the choice.
    other = log_in(agent)
    html = other.get(QUEUE).content.decode()
    assert '<html lang="en">' in html and english in html
    # Whatever the browser asks for.
    html = other.get(QUEUE, headers={"Accept-Language": "zh-CN"}).content.decode()
    assert '<html lang="en">' in html

    other.post(reverse("workbench:set_language"), {"language": "zh-hans", "next": QUEUE})
    assert StaffProfile.objects.get(user=agent).language == "zh-hans"
    for session in (other, web):
        html = session.get(QUEUE).content.decode()
        assert '<html lang="zh-CN">' in html and "投诉队列" in html


@pytest.mark.django_db
def test_the_switch_ignores_unknown_languages_and_foreign_next():
    agent = make_staff(Role.AGENT)
    web = log_in(agent)
    response = web.post(
        reverse("workbench:set_language"), {"language": "fr", "next": "https://evil.test/"}
    )
    assert response["Location"] == "/workbench/"
    assert StaffProfile.objects.get(user=agent).language == ""
    assert '<html lang="zh-CN">' in web.get(QUEUE).content.decode()


@pytest.mark.django_db
def test_an_english_user_gets_english_error_pages(settings):
    settings.DEBUG = False
    agent = make_staff(Role.AGENT)
    web = log_in(agent)
    web.post(reverse("workbench:set_language"), {"language": "en", "next": QUEUE})
    html = web.get("/workbench/disputes/NOPE/").content.decode()
    assert '<html lang="en">' in html
    with translation.override("en"):
        title = translation.gettext("页面不存在")
    assert title != "页面不存在", "the English catalogue has the error pages"
    assert title in html


# --- The English catalogue covers the workbench ---------------------------------------

TRANSLATORS = {
    "_": (None, 0),
    "gettext": (None, 0),
    "gettext_lazy": (None, 0),
    "gettext_noop": (None, 0),
    "ngettext": (None, 0),
    "ngettext_lazy": (None, 0),
    "pgettext": (0, 1),
    "pgettext_lazy": (0, 1),
    "npgettext": (0, 1),
    "npgettext_lazy": (0, 1),
}
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\((u'(?:[^'\\]|\\.)*'(?:,\s*u'(?:[^'\\]|\\.)*')*)")


def _messages_of_python(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in TRANSLATORS:
            continue
        context_at, msgid_at = TRANSLATORS[name]
        args = node.args
        if len(args) <= msgid_at or not all(
            isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args[: msgid_at + 1]
        ):
            continue
        context = args[context_at].value if context_at is not None else None
        yield context, args[msgid_at].value, f"{path.relative_to(ROOT)}:{node.lineno}"


def _messages_of_template(path: Path):
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for lineno, line in enumerate(code.splitlines(), 1):
        for call in TEMPLATE_CALL.finditer(line):
            args = ast.literal_eval("(" + call.group(2) + ",)")
            context = args[0] if call.group(1).startswith(("pgettext", "npgettext")) else None
            msgid = args[1] if context is not None else args[0]
            yield context, msgid, f"{path.relative_to(ROOT)}:{lineno}"


def workbench_messages() -> list[tuple[str | None, str, str]]:
    """(context, msgid, where) of every translatable text of the workbench (templates and
    modules) and the project's own templates (error pages, password reset)."""
    found = []
    for path in sorted((ROOT / "aftersales/workbench").rglob("*.py")):
        found += _messages_of_python(path)
    for folder in ("aftersales/workbench/templates", "aftersales/templates"):
        for path in sorted((ROOT / folder).rglob("*.html")):
            found += _messages_of_template(path)
    return found


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def catalogue() -> dict[tuple[str | None, str], str]:
    """(context, msgid) -> the first English text (msgstr or msgstr[0]); fuzzy entries
    count as untranslated."""
    entries: dict[tuple[str | None, str], str] = {}
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in block.splitlines())
        fields: dict[str, list[str]] = {}
        current = None
        for line in block.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            key, _, rest = line.partition(" ")
            if line.startswith('"'):
                fields[current].append(line)
                continue
            current = key
            fields[current] = [rest]
        if "msgid" not in fields:
            continue
        msgid = _unquote(fields["msgid"])
        context = _unquote(fields["msgctxt"]) if "msgctxt" in fields else None
        text = _unquote(fields.get("msgstr") or fields.get("msgstr[0]") or ['""'])
        entries[(context, msgid)] = "" if fuzzy else text
    return entries


def test_the_extraction_finds_the_workbench_texts():
    """The check below can fail: it sees the texts of templates and modules."""
    found = {(c, m) for c, m, _ in workbench_messages()}
    assert ("workbench nav", "投诉队列") in found  # pgettext_lazy in nav.py
    assert (None, "页面不存在") in found  # {% translate %} in 404.html
    assert (None, "已吊销（%(at)s）") in found  # {% blocktranslate with %} in tokens/list.html
    assert len(found) > 50


def test_every_workbench_text_has_an_english_translation():
    english = catalogue()
    missing: dict[tuple[str | None, str], str] = {}
    for context, msgid, where in workbench_messages():
        if not english.get((context, msgid)):
            missing.setdefault((context, msgid), where)
    listed = [
        f"{where}: {f'[{context}] ' if context else ''}{msgid}"
        for (context, msgid), where in sorted(missing.items(), key=lambda kv: kv[1])
    ]
    assert listed == [], f"{len(listed)} texts without English:\n" + "\n".join(listed[:80])


# Chinese words (full-width punctuation between translated texts is let pass).
CJK = re.compile(r"[\u3400-\u9fff][\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]*")


def untranslated_template_text(path: Path) -> list[str]:
    """Chinese typed into a template outside {% translate %} / {% blocktranslate %} (and
    outside {% comment %}): text a user choosing English would still see in Chinese."""
    from django.template.base import Lexer, TokenType

    found, skip = [], 0
    for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
        if token.token_type == TokenType.BLOCK:
            word = token.contents.split()[0] if token.contents else ""
            if word in ("comment", "blocktranslate", "blocktrans"):
                skip += 1
            elif word in ("endcomment", "endblocktranslate", "endblocktrans"):
                skip -= 1
        elif token.token_type == TokenType.TEXT and not skip:
            for text in CJK.findall(token.contents):
                found.append(f"{path.relative_to(ROOT)}:{token.lineno}: {text}")
    return found


def test_workbench_templates_have_no_chinese_outside_translation_tags():
    found = []
    for folder in ("aftersales/workbench/templates", "aftersales/templates"):
        for path in sorted((ROOT / folder).rglob("*.html")):
            found += untranslated_template_text(path)
    assert found == [], f"{len(found)} untranslated texts:\n" + "\n".join(found[:80])
