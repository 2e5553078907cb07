"""The settlement agreement (调解协议书): a Chinese PDF with an embedded CJK font, the
parties, facts, responsibility finding when recorded, agreed remedies and deadlines, the
legal basis of the agreed remedies and both confirmations; its SHA-256 on the record."""

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from aftersales.mediation.investigation import responsibility_determine
from aftersales.mediation.models import SettlementAgreement
from aftersales.parties.roles import Role

from .proposal_helpers import (
    CustomerClient,
    investigating_dispute,
    last_link,
    proposals_url,
    staff,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdffonts")),
        reason="poppler-utils (installed by scripts/setup) is missing",
    ),
]


def poppler(tool: str, pdf: Path, *args: str) -> str:
    out = ["-"] if tool == "pdftotext" else []
    return subprocess.run(
        [tool, *args, str(pdf), *out], check=True, capture_output=True, text=True
    ).stdout


def settle(api_as, dispute, remedies, *, approver_role=None):
    agent = staff(Role.AGENT)
    client = api_as(agent)
    created = client.post(proposals_url(dispute), {"remedies": remedies}).json()
    pid = created["id"]
    approver = None
    if approver_role is not None:
        approver = staff(approver_role)
        response = api_as(approver).post(
            proposals_url(dispute, pid, "approve"), {"reason": "顾客坚持不退货，同意补偿"}
        )
        assert response.status_code == 200, response.content
    assert client.post(proposals_url(dispute, pid, "send")).status_code == 200
    token, one_time = last_link(dispute)
    accepted = CustomerClient(token).post(proposals_url(dispute, pid, "accept"), {"code": one_time})
    assert accepted.status_code == 200, accepted.content
    return agent, approver, SettlementAgreement.objects.get(proposal_id=pid), token


def test_the_agreement_carries_the_finding_basis_and_both_confirmations(api_as, tmp_path):
    dispute = investigating_dispute(
        received_days_ago=3, customer_name="李晓红", phone="13600003333"
    )
    responsibility_determine(
        dispute=dispute,
        actor=staff(Role.TEAM_LEAD),
        shares={"merchant": 70, "supplier": 30},
        root_causes=["supplier_quality"],
        note="密封圈批次不合格",
    )
    remedies = [
        {"code": "compensation", "amount": "200.00", "deadline_days": 3},
        {"code": "apology"},
    ]
    _agent, legal, record, _token = settle(api_as, dispute, remedies, approver_role=Role.LEGAL)
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(bytes(record.pdf))
    assert hashlib.sha256(pdf.read_bytes()).hexdigest() == record.sha256
    fonts = poppler("pdffonts", pdf)
    assert "NotoSansCJK" in fonts
    cjk = [line for line in fonts.splitlines() if "NotoSansCJK" in line]
    assert all(" yes yes " in line for line in cjk)  # embedded, subset
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(tmp_path / "p")], check=True)
    assert list(tmp_path.glob("p*.png"))
    text = "".join(poppler("pdftotext", pdf).split())
    assert dispute.number in text
    assert "李晓红" in text and dispute.order.store.name in text
    assert "138****" not in text and "136****3333" in text  # the phone masked
    assert "赔偿金200.00元，自协议达成之日起3日内办理" in text
    assert "赔礼道歉" in text
    assert "责任比例：商家70%，供应商30%；根本原因：供应商质量" in text
    # Compensation and an apology deliver no entitlement (the no-reason return was not
    # taken up): the agreement rests on the settlement, not on CPL 25 (issue 10 obs. 8).
    basis = text[text.index("法律依据") :]
    assert "第二十五条" not in basis and "消费者权益保护法》第三十九条" in basis
    assert "一次性验证码确认" in text
    assert "法务部门" in text and "顾客坚持不退货，同意补偿" in text
    assert record.staff_confirmed_by == legal
    assert record.customer_method == "one_time_code"


def test_no_finding_no_approval_settles_on_the_parties_agreement(api_as, tmp_path):
    dispute = investigating_dispute(customer_name="赵敏", phone="13500004444")
    agent, _none, record, token = settle(api_as, dispute, [{"code": "coupon", "amount": "30.00"}])
    # The customer downloads it with their link, the same bytes.
    response = CustomerClient(token).get(
        proposals_url(dispute, record.proposal_id, "agreement.pdf")
    )
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == record.sha256
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(response.content)
    text = "".join(poppler("pdftotext", pdf).split())
    assert "责任认定" not in text
    assert "消费者权益保护法》第三十九条" in text  # no statutory entitlement: settled by agreement
    assert "一次性验证码确认" in text and "203.0.113.7" in text
    assert "在其权限内拟定并发送" in text
    assert record.staff_confirmed_by == agent


def test_another_dispute_cannot_read_the_agreement(api_as):
    dispute = investigating_dispute(phone="13500005555")
    _agent, _n, record, _token = settle(api_as, dispute, [{"code": "apology"}])
    other = investigating_dispute(phone="13500006666")
    agent = staff(Role.AGENT)
    created = api_as(agent).post(proposals_url(other), {"remedies": [{"code": "apology"}]})
    api_as(agent).post(proposals_url(other, created.json()["id"], "send"))
    other_token, _code = last_link(other)
    url = proposals_url(dispute, record.proposal_id, "agreement.pdf")
    assert CustomerClient(other_token).get(url).status_code == 404
    assert api_as(staff(Role.FINANCE)).get(url).status_code == 404


def test_what_the_customer_pays_is_printed_as_owed_by_them(api_as, tmp_path):
    """Issue 10 observation 6: an exchange to a dearer item, the difference on the
    customer, never printed as money to them."""
    dispute = investigating_dispute(customer_name="钱多多", phone="13500007777")
    _agent, _none, record, _token = settle(
        api_as, dispute, [{"code": "exchange", "customer_pays": "29.00"}]
    )
    pdf = tmp_path / "exchange.pdf"
    pdf.write_bytes(bytes(record.pdf))
    text = "".join(poppler("pdftotext", pdf).split())
    assert "换货，顾客补差价29.00元" in text
    assert "以上由甲方支付给乙方的金额（补差价等）合计人民币29.00元" in text
    assert "乙方支付给甲方" not in text
