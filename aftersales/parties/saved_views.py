"""Saved views of the queue (我的视图): a staff member's named filter sets. Only one's own
are listed, overwritten or deleted."""

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from aftersales.common.errors import NotFound, ValidationFailed
from aftersales.common.text import clean_line

from .models import SavedView

NAME_MAX = 60
VIEWS_MAX = 30
VALUE_MAX = 200
# The queue's query-string filters (disputes.selectors.dispute_queue); anything else in
# the query string (page, …) is not part of a view.
PARAMS = (
    "q",
    "status",
    "category",
    "severity",
    "channel",
    "team",
    "assignee",
    "breaching",
    "at_risk",
    "escalation_risk",
    "needs_review",
    "my_department",
)


def _clean_params(params) -> dict[str, str]:
    if not isinstance(params, dict):
        raise ValidationFailed(_("筛选条件格式有误"), fields={"params": _("应为键值对")})
    kept: dict[str, str] = {}
    for key in PARAMS:
        value = params.get(key)
        if value is None or value == "" or value is False:
            continue
        if value is True:
            value = "1"
        if not isinstance(value, (str, int)) or isinstance(value, bool):
            raise ValidationFailed(
                _("筛选条件格式有误"), fields={"params": _("“%(key)s”的值应为文字") % {"key": key}}
            )
        value = str(value).replace("\x00", "").strip()
        if len(value) > VALUE_MAX:
            raise ValidationFailed(
                _("筛选条件格式有误"),
                fields={
                    "params": _("“%(key)s”的值不能超过 %(max)d 个字符")
                    % {"key": key, "max": VALUE_MAX}
                },
            )
        if value:
            kept[key] = value
    return kept


def saved_view_save(*, user, name: str, params: dict) -> SavedView:
    """Save the filters `params` under `name` for `user`; a view of the same name is
    overwritten. At most VIEWS_MAX views per user."""
    name = clean_line(name or "")
    if not name:
        raise ValidationFailed(_("请填写视图名称"), fields={"name": _("请填写视图名称")})
    if len(name) > NAME_MAX:
        message = _("视图名称不能超过 %(max)d 个字符") % {"max": NAME_MAX}
        raise ValidationFailed(message, fields={"name": message})
    kept = _clean_params(params)
    with transaction.atomic():
        existing = SavedView.objects.select_for_update().filter(user=user, name=name).first()
        if existing is not None:
            existing.params = kept
            existing.save(update_fields=["params"])
            return existing
        if SavedView.objects.filter(user=user).count() >= VIEWS_MAX:
            message = _("最多保存 %(max)d 个视图，请先删除不用的") % {"max": VIEWS_MAX}
            raise ValidationFailed(message, fields={"name": message})
        try:
            with transaction.atomic():
                return SavedView.objects.create(user=user, name=name, params=kept)
        except IntegrityError:  # saved at the same moment by another request
            view = SavedView.objects.get(user=user, name=name)
            view.params = kept
            view.save(update_fields=["params"])
            return view


def saved_view_delete(*, user, view_id: int) -> None:
    """Delete one of `user`'s own views; anyone else's, or none, is NotFound."""
    deleted, _rows = SavedView.objects.filter(user=user, pk=view_id).delete()
    if not deleted:
        raise NotFound(_("找不到这个视图"))


def saved_views_of(user) -> QuerySet[SavedView]:
    """The user's views, by name."""
    return SavedView.objects.filter(user=user).order_by("name", "id")
