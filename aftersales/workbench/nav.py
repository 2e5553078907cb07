"""The workbench's navigation by role: each entry shown only to those the permission
predicates let do what the page does (aftersales.disputes.permissions), in the order an
after-sales team works. The page behind an entry asks the same predicate again."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import pgettext_lazy

from aftersales.disputes.grants import Op
from aftersales.disputes.permissions import may
from aftersales.parties.selectors import roles_of


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str
    count: int | None = None


# (key, label, url name, the Op it needs; None: every staff user)
ENTRIES = (
    ("mine", pgettext_lazy("workbench nav", "我的工作"), "workbench:my_work", Op.VIEW_DISPUTE),
    (
        "queue",
        pgettext_lazy("workbench nav", "投诉队列"),
        "workbench:dispute_list",
        Op.VIEW_DISPUTE,
    ),
    (
        "approvals",
        pgettext_lazy("workbench nav", "待我审批"),
        "workbench:approvals",
        Op.APPROVE_PROPOSALS,
    ),
    (
        "tasks",
        pgettext_lazy("workbench nav", "部门任务"),
        "workbench:department_tasks",
        Op.SEE_DEPARTMENT_TASKS,
    ),
    (
        "payouts",
        pgettext_lazy("workbench nav", "财务付款"),
        "workbench:payouts",
        Op.SEE_PAYOUT_LIST,
    ),
    (
        "returns",
        pgettext_lazy("workbench nav", "退货收货"),
        "workbench:returns",
        Op.SEE_PARCEL_LIST,
    ),
    (
        "daily",
        pgettext_lazy("workbench nav", "每日检查"),
        "workbench:daily_checks",
        Op.SEE_DAILY_CHECKS,
    ),
    (
        "sla",
        pgettext_lazy("workbench nav", "时限统计"),
        "workbench:sla_figures",
        Op.VIEW_SLA_FIGURES,
    ),
    ("inbox", pgettext_lazy("workbench nav", "通知"), "workbench:inbox", Op.READ_OWN_NOTIFICATIONS),
    ("new", pgettext_lazy("workbench nav", "新建投诉"), "workbench:intake", Op.CREATE_DISPUTE),
    (
        "tokens",
        pgettext_lazy("workbench nav", "API 令牌"),
        "workbench:api_tokens",
        Op.MANAGE_OWN_API_TOKENS,
    ),
    ("admin", pgettext_lazy("workbench nav", "后台管理"), "admin:index", Op.USE_ADMIN_SITE),
)


def nav_for(user, *, unread: int | None = None) -> list[NavItem]:
    """The entries `user` may open, with the inbox's unread count."""
    if not getattr(user, "is_authenticated", False) or not roles_of(user):
        return []
    items = []
    for key, label, name, op in ENTRIES:
        if op is not None and not may(user, op):
            continue
        count = unread if key == "inbox" else None
        items.append(NavItem(key=key, label=str(label), url=reverse(name), count=count))
    return items
