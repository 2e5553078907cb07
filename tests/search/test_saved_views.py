"""Saved views (我的视图): one's own, named, at most 30, the queue's filters only."""

import pytest

from aftersales.common.errors import NotFound, ValidationFailed
from aftersales.parties.models import SavedView
from aftersales.parties.roles import Role
from aftersales.parties.saved_views import (
    VIEWS_MAX,
    saved_view_delete,
    saved_view_save,
    saved_views_of,
)
from tests.factories import make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(default_team):
    return make_staff(Role.AGENT, team=default_team)


def test_save_list_overwrite(agent):
    view = saved_view_save(
        user=agent,
        name=" 我的超时 ",
        params={"breaching": "1", "q": "漏水", "page": "3", "status": "", "team": "t1"},
    )
    assert view.name == "我的超时"
    assert view.params == {"breaching": "1", "q": "漏水", "team": "t1"}
    assert view.query == "breaching=1&q=%E6%BC%8F%E6%B0%B4&team=t1"
    again = saved_view_save(user=agent, name="我的超时", params={"needs_review": True})
    assert again.pk == view.pk
    assert list(saved_views_of(agent)) == [again]
    assert SavedView.objects.get(pk=view.pk).params == {"needs_review": "1"}


def test_same_name_for_two_people(agent, default_team):
    other = make_staff(Role.AGENT, team=default_team)
    saved_view_save(user=agent, name="待复核", params={"needs_review": "1"})
    saved_view_save(user=other, name="待复核", params={})
    assert saved_views_of(agent).count() == 1 and saved_views_of(other).count() == 1


@pytest.mark.parametrize(
    "name, params, field, message",
    [
        ("", {}, "name", "请填写视图名称"),
        ("名" * 61, {}, "name", "视图名称不能超过 60 个字符"),
        ("ok", ["q"], "params", "筛选条件格式有误"),
        ("ok", {"q": ["a"]}, "params", "筛选条件格式有误"),
        ("ok", {"q": "x" * 201}, "params", "筛选条件格式有误"),
    ],
)
def test_refusals_in_chinese(agent, name, params, field, message):
    with pytest.raises(ValidationFailed) as caught:
        saved_view_save(user=agent, name=name, params=params)
    assert field in caught.value.fields
    assert caught.value.message == message


def test_at_most_thirty(agent):
    for i in range(VIEWS_MAX):
        saved_view_save(user=agent, name=f"视图{i}", params={})
    with pytest.raises(ValidationFailed) as caught:
        saved_view_save(user=agent, name="再来一个", params={})
    assert "最多保存 30 个视图" in caught.value.fields["name"]
    saved_view_save(user=agent, name="视图3", params={"q": "改"})  # overwriting still works
    assert saved_views_of(agent).count() == VIEWS_MAX


def test_delete_only_ones_own(agent, default_team):
    other = make_staff(Role.AGENT, team=default_team)
    view = saved_view_save(user=agent, name="甲", params={})
    with pytest.raises(NotFound):
        saved_view_delete(user=other, view_id=view.pk)
    saved_view_delete(user=agent, view_id=view.pk)
    assert not SavedView.objects.filter(pk=view.pk).exists()
    with pytest.raises(NotFound):
        saved_view_delete(user=agent, view_id=view.pk)
