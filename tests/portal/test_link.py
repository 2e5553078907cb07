"""The per-proposal link (/portal/mediation/<token>/): the customer reads the proposal
with what the law gives them beside it, accepts it with the one-time code, and downloads
the agreement; rejects or counters; a wrong code is marked on its field."""

import pytest
from django.test import Client

from aftersales.disputes.models import Dispute
from aftersales.mediation.models import Proposal

from .conftest import visible

pytestmark = pytest.mark.django_db


def _page(token, path=""):
    return f"/portal/mediation/{token}/{path}"


def test_the_link_shows_the_proposal_and_what_the_law_gives(proposed):
    _customer, _order, dispute, token, _code = proposed
    response = Client().get(_page(token))
    assert response.status_code == 200
    text = response.content.decode()
    assert f"投诉 {dispute.number} 的处理方案" in text
    assert "等待您答复" in text
    assert "退货退款" in text
    assert "法律规定您可以得到的" in text
    assert "依据：" in text
    assert "return_refund" not in visible(response)  # no internal codes
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]


def test_an_unknown_link_answers_404_in_plain_words(db):
    response = Client().get(_page("not-a-real-token"))
    assert response.status_code == 404
    assert "链接已失效或不正确" in response.content.decode()


def test_a_wrong_code_is_marked_on_its_field_and_nothing_is_accepted(proposed):
    _customer, _order, dispute, token, code = proposed
    wrong = "000000" if code != "000000" else "111111"
    response = Client().post(_page(token, "accept/"), {"accept-code": wrong})
    assert response.status_code == 422
    text = response.content.decode()
    assert "验证码不正确" in text
    assert 'aria-invalid="true"' in text
    assert f'value="{wrong}"' in text  # what was typed is kept
    assert Dispute.objects.get(pk=dispute.pk).status == "proposing"


def test_accepting_with_the_code_settles_and_the_agreement_downloads(proposed):
    _customer, _order, dispute, token, code = proposed
    client = Client()
    response = client.post(_page(token, "accept/"), {"accept-code": code}, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "您已接受方案" in text
    assert "下载调解协议书" in text
    assert Dispute.objects.get(pk=dispute.pk).status != "proposing"
    pdf = client.get(_page(token, "agreement.pdf"))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert bytes(pdf.content).startswith(b"%PDF")


def test_the_agreement_is_not_there_before_acceptance(proposed):
    _customer, _order, _dispute, token, _code = proposed
    assert Client().get(_page(token, "agreement.pdf")).status_code == 404


def test_reject_tells_the_customer_what_happens_next(proposed):
    _customer, _order, dispute, token, _code = proposed
    response = Client().post(_page(token, "reject/"), {"reject-message": "金额太少"}, follow=True)
    text = response.content.decode()
    assert "客服会尽快与您联系" in text
    assert "您已拒绝" in text
    assert Proposal.objects.get(dispute=dispute).state == "rejected"


def test_a_counter_offer_with_a_bad_amount_keeps_what_was_typed(proposed):
    _customer, _order, dispute, token, _code = proposed
    response = Client().post(
        _page(token, "counter/"),
        {"counter-remedy": "compensation", "counter-amount": "abc", "counter-message": "再多些"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert 'aria-invalid="true"' in text
    assert "再多些" in text
    assert Proposal.objects.get(dispute=dispute).state == "sent"


def test_a_counter_offer_goes_to_the_merchant(proposed):
    _customer, _order, dispute, token, _code = proposed
    response = Client().post(
        _page(token, "counter/"),
        {"counter-remedy": "compensation", "counter-amount": "300", "counter-message": "再多些"},
        follow=True,
    )
    assert "已把您的意见转给商家" in response.content.decode()
    assert Proposal.objects.get(dispute=dispute).state == "countered"
