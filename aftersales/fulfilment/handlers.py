"""What fulfilment is told by the disputes app (registered in apps.FulfilmentConfig.ready):
a dispute is neither completed nor closed while an after-sale order of it is open, by
whatever door the action came (API, admin, the follow-up visit)."""

from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict
from aftersales.disputes.lifecycle import Action

from .steps import open_orders_of

GUARDED = frozenset({Action.COMPLETE.value, Action.CLOSE.value})


def refuse_while_orders_open(news) -> None:
    if news.event.action not in GUARDED:
        return
    numbers = open_orders_of(news.dispute.pk)
    if numbers:
        raise Conflict(
            _("还有未完成的售后单：%(numbers)s。请先完成，或说明原因后取消")
            % {"numbers": "、".join(numbers)},
            code="aftersale_orders_open",
            extra={"aftersale_orders": numbers},
        )
