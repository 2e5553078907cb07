"""One label mechanism (issue 11 item 18): remedies, roles and the other mediation words
are `TextChoices` labels shown in the reader's language, while the settlement agreement
stays in Chinese whoever settled it."""

import pytest
from django.utils import translation

from aftersales.mediation import agreement
from aftersales.mediation.models import SettlementAgreement
from aftersales.parties.roles import Role
from tests.conftest import ApiClient

from .proposal_helpers import (
    CustomerClient,
    investigating_dispute,
    last_link,
    proposals_url,
    staff,
)

pytestmark = pytest.mark.django_db


def _allowed(response) -> dict[str, str]:
    assert response.status_code == 200, response.content
    return {r["code"]: r["label"] for r in response.json()["allowed"]}


def test_the_remedy_catalogue_is_labelled_in_the_readers_language():
    agent = staff(Role.AGENT)
    dispute = investigating_dispute(paid="136.50")
    chinese = _allowed(ApiClient(agent).get(proposals_url(dispute, "template")))
    english = _allowed(ApiClient(agent, language="en").get(proposals_url(dispute, "template")))
    assert (chinese["refund"], chinese["apology"]) == ("退款", "赔礼道歉")
    assert (english["refund"], english["apology"]) == ("Refund", "Apology")


def test_the_agreement_is_chinese_when_everyone_involved_reads_english():
    agent, management = staff(Role.AGENT), staff(Role.MANAGEMENT)
    dispute = investigating_dispute(paid="136.50")
    as_agent = ApiClient(agent, language="en")
    created = as_agent.post(
        proposals_url(dispute),
        {
            "remedies": [
                {"code": "return_refund", "amount": "136.50"},
                {"code": "compensation", "amount": "5000.00"},
            ]
        },
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    approve = proposals_url(dispute, pid, "approve")
    assert ApiClient(management, language="en").post(approve, {"reason": "同意"}).status_code == 200
    assert as_agent.post(proposals_url(dispute, pid, "send")).status_code == 200
    token, code = last_link(dispute)
    accepted = CustomerClient(token).post(proposals_url(dispute, pid, "accept"), {"code": code})
    assert accepted.status_code == 200, accepted.content
    record = SettlementAgreement.objects.get(proposal_id=pid)
    with translation.override("en"):
        data = agreement.agreement_data(
            proposal=record.proposal,
            revision=record.revision,
            method=record.customer_method,
            confirmed_at=record.customer_confirmed_at,
            ip=None,
            generated_at=record.generated_at,
        )
    assert data.customer.how == "一次性验证码确认"
    assert data.remedies[0].startswith("退货退款")
    assert any("（公司管理层）" in c.who for c in data.staff)
    assert "Management" not in " ".join(c.who + c.how for c in data.staff)
