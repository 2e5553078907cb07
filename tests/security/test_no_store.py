"""Issue 11 item 9: no response that may carry personal data is kept by a browser or a
proxy — `Cache-Control: no-store` on API answers (success and error), staff pages, the
admin and the login page; static files keep their cache lifetime."""

import pytest
from django.test import Client

from aftersales.parties.roles import Role
from tests.factories import make_dispute, make_staff

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_api_answers_are_not_stored(agent, api_as):
    dispute = make_dispute()
    client = api_as(agent)
    for response in (
        client.get(f"/api/v1/disputes/{dispute.number}"),
        client.get("/api/v1/disputes"),
        client.get(f"/api/v1/disputes/{dispute.number}/contact"),
        client.get("/api/v1/disputes/NOPE"),  # 404
        Client().get("/api/v1/disputes"),  # 401
    ):
        assert response.status_code in (200, 401, 404)
        assert response["Cache-Control"] == "no-store", response.status_code


def test_staff_pages_admin_and_login_are_not_stored(agent):
    admin_user = make_staff(Role.ADMIN)
    anonymous = Client()
    assert no_store(anonymous.get("/accounts/login/"))
    assert no_store(anonymous.get("/workbench/"))  # the redirect to the login
    browser = Client()
    browser.force_login(agent)
    page = browser.get("/workbench/")
    assert page.status_code == 200 and no_store(page)
    admin = Client()
    admin.force_login(admin_user)
    response = admin.get("/admin/parties/customer/")
    assert response.status_code == 200 and no_store(response)


def test_a_view_cache_header_is_overridden(agent, api_as):
    response = api_as(agent).get("/api/v1/openapi.json")
    assert response["Cache-Control"] == "no-store"
