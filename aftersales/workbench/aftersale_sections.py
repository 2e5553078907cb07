"""The dispute page's after-sale orders (售后单) with their states and the actions each
state allows, and the follow-up visit form. (`aftersale_actions` holds the views their
forms post to.)"""

from __future__ import annotations

from typing import Any

from aftersales.disputes.models import Dispute


def context(request, dispute: Dispute, bound: dict) -> dict[str, Any]:
    return {}
