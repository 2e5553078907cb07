"""API 令牌 page: staff make their own tokens (shown once, only the hash kept) and revoke
them; a revoked token no longer opens the API; admins manage anyone's; readers without
the permission get 403."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from aftersales.common.errors import Forbidden, NotFound
from aftersales.disputes.permissions import can_manage_api_tokens
from aftersales.parties.models import ApiToken
from aftersales.parties.roles import Role
from aftersales.parties.services import token_create, token_issue, token_revoke
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

LIST = reverse("workbench:api_tokens")
CREATE = reverse("workbench:api_token_create")


def client_for(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_status(key: str) -> int:
    return Client().get("/api/v1/disputes", headers={"Authorization": f"Bearer {key}"}).status_code


def allowed(actor, owner):
    return can_manage_api_tokens(actor, owner=None if owner == actor else owner)


def shown_key(response) -> str:
    match = re.search(r"\bas_[A-Za-z0-9_-]{40,}", response.content.decode())
    assert match, "the new token is on the page"
    return match.group(0)


def test_agent_makes_a_token_shown_once_that_opens_the_api_until_revoked():
    agent = make_staff(Role.AGENT)
    web = client_for(agent)

    page = web.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "API 令牌" in html
    assert "还没有令牌" in html
    assert 'aria-current="page" data-nav="tokens"' in html

    made = web.post(CREATE, {"label": "ERP 同步"})
    assert made.status_code == 200
    assert "no-store" in made["Cache-Control"]
    key = shown_key(made)
    assert "只显示这一次" in made.content.decode()
    token = ApiToken.objects.get(user=agent)
    assert token.label == "ERP 同步"
    assert token.key_hash == ApiToken.hash_key(key)
    assert token.prefix == key[:8]
    # Only the hash is kept: the token is nowhere in the row.
    assert key not in str(ApiToken.objects.filter(pk=token.pk).values().get())

    assert api_status(key) == 200

    listed = web.get(LIST).content.decode()
    assert key not in listed
    assert f"{token.prefix}…" in listed
    assert "ERP 同步" in listed
    assert "有效" in listed
    assert re.search(r"最近使用.*?\d{4}-\d{2}-\d{2} \d{2}:\d{2}", listed, re.S)

    revoked = web.post(reverse("workbench:api_token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    assert revoked["Location"] == LIST
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_status(key) == 401

    after = web.get(LIST).content.decode()
    assert "已吊销" in after
    assert f"已吊销令牌 {token.prefix}…" in after  # the message
    assert "api_token_revoke" not in after and f"/tokens/{token.pk}/revoke" not in after


def test_a_token_made_from_the_shell_is_revoked_on_the_page_too():
    lead = make_staff(Role.TEAM_LEAD)
    key = token_create(user=lead, label="shell")
    assert api_status(key) == 200
    token = ApiToken.objects.get(user=lead)
    client_for(lead).post(reverse("workbench:api_token_revoke", args=[token.pk]))
    assert api_status(key) == 401


def test_department_staff_may_manage_their_own():
    qc = make_staff(Role.QUALITY_CONTROL)
    web = client_for(qc)
    assert web.get(LIST).status_code == 200
    assert web.post(CREATE, {"label": "质检系统"}).status_code == 200
    assert ApiToken.objects.filter(user=qc).count() == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGEMENT])
def test_readers_without_the_permission_get_403(role):
    reader = make_staff(role)
    agent = make_staff(Role.AGENT)
    token_create(user=agent)
    token = ApiToken.objects.get(user=agent)
    web = client_for(reader)

    for response in (
        web.get(LIST),
        web.post(CREATE, {"label": "x"}),
        web.post(reverse("workbench:api_token_revoke", args=[token.pk])),
    ):
        assert response.status_code == 403
        assert "没有" in response.content.decode()  # our page, in Chinese
    assert not ApiToken.objects.filter(user=reader).exists()
    token.refresh_from_db()
    assert token.revoked_at is None
    # Not in their navigation either.
    assert 'data-nav="tokens"' not in web.get(reverse("workbench:dispute_list")).content.decode()


def test_staff_cannot_see_make_or_revoke_anyone_elses():
    agent, other = make_staff(Role.AGENT), make_staff(Role.AGENT)
    key = token_create(user=other)
    theirs = ApiToken.objects.get(user=other)
    web = client_for(agent)

    assert web.get(LIST, {"owner": other.username}).status_code == 403
    assert web.get(LIST, {"owner": "nobody-at-all"}).status_code == 403  # no probing names
    assert web.post(CREATE, {"label": "x", "owner": other.username}).status_code == 403
    assert web.post(reverse("workbench:api_token_revoke", args=[theirs.pk])).status_code == 403
    assert ApiToken.objects.filter(user=other).count() == 1
    assert api_status(key) == 200
    # Their own list does not show the other's token, nor a user picker.
    html = web.get(LIST).content.decode()
    assert theirs.prefix not in html
    assert 'id="owner"' not in html


def test_admin_picks_a_user_and_makes_and_revokes_their_tokens():
    admin = make_staff(Role.ADMIN)
    agent = make_staff(Role.AGENT)
    key = token_create(user=agent, label="旧的")
    old = ApiToken.objects.get(user=agent)
    web = client_for(admin)

    mine = web.get(LIST).content.decode()
    assert 'id="owner"' in mine
    assert f'<option value="{agent.username}"' in mine

    page = web.get(LIST, {"owner": agent.username})
    assert page.status_code == 200
    html = page.content.decode()
    assert old.prefix in html and "旧的" in html
    assert f'name="owner" value="{agent.username}"' in html

    made = web.post(CREATE, {"label": "代建", "owner": agent.username})
    assert made.status_code == 200
    new_key = shown_key(made)
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(new_key)).user == agent
    assert not ApiToken.objects.filter(user=admin).exists()

    revoked = web.post(reverse("workbench:api_token_revoke", args=[old.pk]))
    assert revoked.status_code == 302
    assert revoked["Location"] == f"{LIST}?owner={agent.username}"
    assert api_status(key) == 401
    assert api_status(new_key) == 200

    assert web.get(LIST, {"owner": "nobody-at-all"}).status_code == 404
    assert web.post(reverse("workbench:api_token_revoke", args=[999999])).status_code == 404


def test_a_too_long_label_keeps_what_was_typed_and_marks_the_field():
    agent = make_staff(Role.AGENT)
    typed = "很长的用途" * 30
    response = client_for(agent).post(CREATE, {"label": typed})
    assert response.status_code == 422
    html = response.content.decode()
    assert typed in html
    assert 'aria-invalid="true"' in html
    assert "不超过 100 字符" in html  # Django's max_length message, in Chinese
    assert not ApiToken.objects.filter(user=agent).exists()


def test_anonymous_goes_to_login():
    response = Client().get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Client().post(CREATE, {"label": "x"}).status_code == 302


# The services themselves (the page is one caller; the predicate is passed in because
# parties sits below disputes.permissions).


def test_services_refuse_without_permission_and_revoke_once():
    agent, other, admin = make_staff(Role.AGENT), make_staff(Role.AGENT), make_staff(Role.ADMIN)
    with pytest.raises(Forbidden):
        token_issue(actor=agent, owner=other, label="", allowed=allowed)
    token, key = token_issue(actor=admin, owner=other, label=" x ", allowed=allowed)
    assert token.label == "x" and token.user == other and key.startswith(token.prefix)
    with pytest.raises(Forbidden):
        token_revoke(actor=agent, token_id=token.pk, allowed=allowed)
    with pytest.raises(NotFound):
        token_revoke(actor=admin, token_id=token.pk + 1000, allowed=allowed)
    first = token_revoke(actor=other, token_id=token.pk, allowed=allowed).revoked_at
    assert first is not None
    assert token_revoke(actor=admin, token_id=token.pk, allowed=allowed).revoked_at == first
