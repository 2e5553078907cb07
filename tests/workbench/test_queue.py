"""The queue page (投诉队列) and my work (我的工作) through Django's test client: columns,
filters, search, invalid input, counts, paging, the live refresh and saved views."""

import re

import pytest
from django.urls import reverse

from aftersales.disputes.models import Dispute
from aftersales.disputes.selectors import disputes_visible_to
from aftersales.parties.models import SavedView, Team
from aftersales.parties.roles import Role
from aftersales.workbench import queue
from tests.factories import OrderFactory, TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

QUEUE = "/workbench/"
MINE = "/workbench/mine/"


@pytest.fixture
def team():
    return Team.objects.get(is_default=True)


@pytest.fixture
def lead(team):
    return make_staff(Role.TEAM_LEAD, team=team)


@pytest.fixture
def agent(team):
    return make_staff(Role.AGENT, team=team)


def login(client, user):
    client.force_login(user)
    return client


def numbers(response) -> list[str]:
    """The dispute numbers of the rows, in order."""
    body = response.content.decode()
    table = body[body.index('id="disputes"') :]
    return re.findall(r'<tr data-number="([^"]+)"', table)


def test_the_queue_shows_each_column_most_urgent_first(client, lead):
    calm = make_dispute(description="电饭煲按键有点松，想问问能不能修。")
    urgent = make_dispute(
        description="热水器漏电，孩子被电了一下，要求赔偿！",
        customer={"name": "王五", "phone": "13900001111"},
    )
    Dispute.objects.filter(pk=urgent.pk).update(severity="major", severity_rank=3)
    response = login(client, lead).get(reverse("workbench:dispute_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert numbers(response) == [urgent.number, calm.number]
    assert 'aria-current="page" data-nav="queue"' in body
    # The customer by masked phone only; never the full number.
    assert "139****1111" in body and "13900001111" not in body
    # The clock: its name, a live countdown the shared script ticks, the rule's source.
    row = body[body.index(f'data-number="{urgent.number}"') :]
    row = row[: row.index("</tr>")]
    assert "首次联系" in row or "first" in row.lower()
    assert re.search(r'<time datetime="[^"]+" data-due data-risk-minutes="\d+"', row)
    assert '<span class="source">内部</span>' in row
    # The classifier's confidence, and 待复核 when it is low.
    dispute = Dispute.objects.get(pk=urgent.pk)
    percent = round(dispute.confidence * 100)
    assert f"{percent}%" in row
    assert ('<span class="review">待复核</span>' in row) == dispute.needs_review
    # Cards on a phone: every cell says what it is.
    assert re.findall(r"<td(?![^>]*data-label)[^>]*>", row) == []
    assert 'class="cards queue"' in body
    assert "共 2 条" in body


def test_filters_narrow_the_queue(client, lead, agent, team):
    other_team = TeamFactory()
    mine = make_dispute(channel="phone")
    theirs = make_dispute()
    Dispute.objects.filter(pk=mine.pk).update(assignee=agent)
    Dispute.objects.filter(pk=theirs.pk).update(
        team=other_team, assignee=None, escalation_risk=True
    )
    admin = make_staff(Role.ADMIN)
    c = login(client, admin)
    assert numbers(c.get(QUEUE, {"channel": "phone"})) == [mine.number]
    assert numbers(c.get(QUEUE, {"assignee": agent.username})) == [mine.number]
    assert numbers(c.get(QUEUE, {"assignee": "none"})) == [theirs.number]
    assert numbers(c.get(QUEUE, {"team": other_team.code})) == [theirs.number]
    assert numbers(c.get(QUEUE, {"escalation_risk": "1"})) == [theirs.number]
    assert numbers(c.get(QUEUE, {"status": "closed"})) == []
    # Several at once, and the chosen values stay chosen in the form.
    response = c.get(QUEUE, {"channel": "phone", "team": team.code})
    assert numbers(response) == [mine.number]
    assert '<option value="phone" selected>' in response.content.decode()


def test_flags_breaching_and_needs_review(client, lead):
    late = make_dispute()
    fine = make_dispute()
    Dispute.objects.filter(pk=late.pk).update(due_at="2026-01-01T00:00:00+08:00")
    Dispute.objects.filter(pk=fine.pk).update(needs_review=False)
    Dispute.objects.filter(pk=late.pk).update(needs_review=True)
    c = login(client, lead)
    assert numbers(c.get(QUEUE, {"breaching": "on"})) == [late.number]
    assert numbers(c.get(QUEUE, {"needs_review": "on"})) == [late.number]


def test_search_by_phone_last_four_order_number_and_traditional_script(client, lead):
    order = OrderFactory()
    leak = make_dispute(
        order,
        customer={"name": "张三", "phone": "13812345678"},
        description="电热水器漏水，地板都泡坏了。",
    )
    other = make_dispute(description="快递包装压坏了，外壳破损。")
    c = login(client, lead)
    assert numbers(c.get(QUEUE, {"q": "5678"})) == [leak.number]
    assert numbers(c.get(QUEUE, {"q": order.order_no})) == [leak.number]
    assert numbers(c.get(QUEUE, {"q": "熱水器"})) == [leak.number]
    assert numbers(c.get(QUEUE, {"q": leak.number})) == [leak.number]
    assert numbers(c.get(QUEUE, {"q": "包装"})) == [other.number]
    response = c.get(QUEUE, {"q": "洗衣机"})
    assert numbers(response) == []
    assert "没有符合条件的投诉" in response.content.decode()


@pytest.mark.parametrize(
    "params, message",
    [
        ({"status": "nonsense"}, "状态"),
        ({"severity": "huge"}, "严重程度"),
        ({"team": "no-such-team"}, "小组"),
        ({"assignee": "nobody-here"}, "用户“nobody-here”不存在"),
        ({"q": "漏" * 201}, "搜索"),
        ({"page": "abc"}, "页码“abc”无效"),
        ({"page": "0"}, "页码应在 1 到"),
        ({"status": "a\x00b"}, "状态"),
    ],
)
def test_invalid_input_is_named_in_chinese_and_never_a_500(client, lead, params, message):
    dispute = make_dispute()
    response = login(client, lead).get(QUEUE, params)
    assert response.status_code == 422
    body = response.content.decode()
    assert "查询条件有误" in body
    assert message in body
    # The invalid value is left out; the queue is still shown.
    assert numbers(response) == [dispute.number]


def test_my_work_is_my_open_disputes(client, agent, team):
    mine = make_dispute()
    done = make_dispute()
    someone_elses = make_dispute()
    Dispute.objects.filter(pk__in=[mine.pk, done.pk]).update(assignee=agent)
    Dispute.objects.filter(pk=someone_elses.pk).update(assignee=None)
    Dispute.objects.filter(pk=done.pk).update(status="closed", is_open=False)
    response = login(client, agent).get(MINE, {"assignee": "none", "status": "closed"})
    assert response.status_code == 200
    assert numbers(response) == [mine.number]
    body = response.content.decode()
    assert 'aria-current="page" data-nav="mine"' in body
    assert someone_elses.number not in body
    assert "<h1>我的工作</h1>" in body


def test_the_count_is_capped_and_pages_go_by_number(client, lead, monkeypatch):
    made = [make_dispute() for _ in range(3)]
    monkeypatch.setattr(queue, "COUNT_CAP", 2)
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    c = login(client, lead)
    first = c.get(QUEUE, {"channel": "api"})
    body = first.content.decode()
    assert "2+ 条" in body and "共 3 条" not in body
    assert len(numbers(first)) == 2
    assert 'href="?channel=api&amp;page=2" rel="next"' in body
    second = c.get(QUEUE, {"channel": "api", "page": "2"})
    assert len(numbers(second)) == 1
    assert set(numbers(first) + numbers(second)) == {d.number for d in made}
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    monkeypatch.setattr(queue, "COUNT_CAP", 1000)
    assert "共 3 条" in c.get(QUEUE).content.decode()


def test_the_live_refresh_answers_with_the_rows_only(client, lead):
    first = make_dispute()
    c = login(client, lead)
    page = c.get(QUEUE, {"channel": "api"}).content.decode()
    assert 'hx-get="/workbench/?channel=api"' in page
    assert re.search(r'hx-trigger="every (1[5-9]|2\d|30)s"', page)
    second = make_dispute()
    response = c.get(
        QUEUE, {"channel": "api"}, headers={"HX-Request": "true", "HX-Target": "queue-body"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="queue-body"')
    assert "<html" not in body
    assert set(numbers(response)) == {first.number, second.number}
    assert "共 2 条" in body


def test_every_staff_role_sees_the_queue_within_their_scope(client, team):
    inside = make_dispute()
    outside = make_dispute()
    Dispute.objects.filter(pk=outside.pk).update(team=TeamFactory())
    for role in Role:
        user = make_staff(role, team=team if role in (Role.AGENT, Role.TEAM_LEAD) else None)
        response = login(client, user).get(QUEUE)
        assert response.status_code == 200, role
        shown = set(numbers(response))
        if role in (Role.ADMIN, Role.SUPERVISOR, Role.MANAGEMENT):
            assert shown == {inside.number, outside.number}, role
        elif role in (Role.AGENT, Role.TEAM_LEAD):
            assert shown == {inside.number}, role
        else:  # departments: the disputes with a task of theirs
            assert shown == set(disputes_visible_to(user).values_list("number", flat=True))


def test_the_page_makes_the_same_number_of_queries_for_more_rows(client, lead):
    for _ in range(2):
        make_dispute()
    c = login(client, lead)
    c.get(QUEUE)  # warm caches (roles, routing)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        c.get(QUEUE)
    for _ in range(6):
        make_dispute()
    with CaptureQueriesContext(connection) as many:
        c.get(QUEUE)
    assert len(many) == len(few)


# -- saved views ---------------------------------------------------------------------------


def test_save_list_open_and_delete_a_view(client, lead):
    phone = make_dispute(channel="phone")
    make_dispute()
    c = login(client, lead)
    response = c.post(
        reverse("workbench:saved_view_save"),
        {"name": "电话投诉", "next": "/workbench/?channel=phone&page=3"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/workbench/?channel=phone&page=3"
    view = SavedView.objects.get(user=lead)
    assert view.name == "电话投诉"
    assert view.params == {"channel": "phone"}
    page = c.get(QUEUE).content.decode()
    assert f'<a href="/workbench/?{view.query}">电话投诉</a>' in page
    assert numbers(c.get(f"{QUEUE}?{view.query}")) == [phone.number]
    # Delete it.
    response = c.post(
        reverse("workbench:saved_view_delete"), {"view": view.pk, "next": "/workbench/"}
    )
    assert response.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert "已删除视图" in c.get(QUEUE).content.decode()


def test_a_view_without_a_name_is_refused_on_the_form(client, lead):
    c = login(client, lead)
    response = c.post(
        reverse("workbench:saved_view_save"), {"name": "  ", "next": "/workbench/?channel=phone"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "请填写视图名称" in body or "这个字段是必填项" in body
    assert '<details class="action" open>' in body
    assert not SavedView.objects.exists()


def test_nobody_deletes_or_sees_anothers_view(client, lead, agent):
    from aftersales.parties.saved_views import saved_view_save

    theirs = saved_view_save(user=agent, name="我的电话", params={"channel": "phone"})
    c = login(client, lead)
    assert "我的电话" not in c.get(QUEUE).content.decode()
    c.post(reverse("workbench:saved_view_delete"), {"view": theirs.pk, "next": "/workbench/"})
    assert SavedView.objects.filter(pk=theirs.pk).exists()
    assert "找不到这个视图" in c.get(QUEUE).content.decode()
    c.post(reverse("workbench:saved_view_delete"), {"view": "x", "next": "/workbench/"})
    assert "要删除的视图无效" in c.get(QUEUE).content.decode()


def test_a_post_goes_back_only_to_the_queue(client, lead):
    c = login(client, lead)
    for evil in ("https://evil.example/", "//evil.example/", "/admin/"):
        response = c.post(reverse("workbench:saved_view_save"), {"name": "x", "next": evil})
        assert response["Location"] == "/workbench/"
