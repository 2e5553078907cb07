"""With DEBUG off, every error is our Chinese page with a way back to the workbench —
404, 403, 500, 400 and a CSRF failure — never a stack trace or Django's debug page."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path, reverse

from aftersales import urls as project_urls
from aftersales.parties.roles import Role
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

SECRET = "kaboom-internal-detail-7f3a"


def explode(request):
    raise RuntimeError(SECRET)


def suspicious(request):
    raise SuspiciousOperation(SECRET)


# The project's addresses plus two that fail (ROOT_URLCONF = this module, in the tests
# that need them).
urlpatterns = [
    path("test-only/explode/", explode),
    path("test-only/suspicious/", suspicious),
    *project_urls.urlpatterns,
]

DEBUG_MARKS = (
    "Traceback",
    "Django Version",
    "technical_500",
    "You're seeing this error because you have",
    "Request Method:",
    'File "',
    SECRET,
)


@pytest.fixture(autouse=True)
def production_errors(settings):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False


def client_for(role=Role.AGENT, **kwargs) -> Client:
    client = Client(raise_request_exception=False, **kwargs)
    client.force_login(make_staff(role))
    return client


def assert_our_page(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    for mark in DEBUG_MARKS:
        assert mark not in html, f"{mark!r} on the {status} page"
    assert '<html lang="zh-CN">' in html
    assert 'href="/workbench/"' in html and "返回工作台" in html  # a way back
    assert f"错误代码：{status}" in html
    for phrase in phrases:
        assert phrase in html
    return html


def test_unknown_address_and_unknown_dispute_are_our_404():
    assert_our_page(Client().get("/no/such/page/"), 404, "页面不存在")
    web = client_for()
    html = assert_our_page(
        web.get(reverse("workbench:dispute_detail", args=["SH20990101999999"])),
        404,
        "页面不存在",
    )
    assert "No Dispute matches" not in html


def test_a_refusal_is_our_403_with_its_reason():
    html = assert_our_page(
        client_for(Role.SUPERVISOR).get(reverse("workbench:api_tokens")), 403, "没有权限"
    )
    assert "您没有管理这些 API 令牌的权限" in html
    assert "换个账号登录" in html


def test_a_crash_is_our_500_without_a_stack_trace(settings):
    settings.ROOT_URLCONF = __name__
    html = assert_our_page(client_for().get("/test-only/explode/"), 500, "系统出错了")
    assert "RuntimeError" not in html
    # Even for someone not logged in (the page needs no request, user or database).
    assert_our_page(Client(raise_request_exception=False).get("/test-only/explode/"), 500)


def test_a_bad_request_is_our_400(settings):
    settings.ROOT_URLCONF = __name__
    html = assert_our_page(client_for().get("/test-only/suspicious/"), 400, "请求无效")
    assert "SuspiciousOperation" not in html


def test_a_bad_host_header_is_our_400(settings):
    settings.ALLOWED_HOSTS = ["aftersales.example.com"]
    response = Client(raise_request_exception=False).get("/workbench/", HTTP_HOST="evil.test")
    assert_our_page(response, 400, "请求无效")


def test_a_csrf_failure_is_our_page_asking_to_submit_again():
    web = client_for(enforce_csrf_checks=True)
    response = web.post(reverse("workbench:set_language"), {"language": "en"})
    html = assert_our_page(response, 403, "页面已过期，请重新提交")
    assert "CSRF verification failed" not in html
    assert "重新登录" in html


def test_the_api_still_answers_json_errors():
    """The HTML error pages are the web's; the API keeps its JSON error shape."""
    response = Client(raise_request_exception=False).get("/api/v1/disputes")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
