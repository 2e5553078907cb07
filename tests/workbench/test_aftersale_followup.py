"""The follow-up visit (回访) on the dispute page: the form on a dispute in follow-up, a
satisfied call closing it with the closure summary shown, an unsatisfied one reopening
it, and bad input kept as typed."""

from __future__ import annotations

import pytest

from aftersales.disputes.models import Dispute
from aftersales.parties.roles import Role
from tests.factories import carry_out
from tests.workbench.test_aftersale_support import logged_in, section, settled

pytestmark = pytest.mark.django_db


def in_follow_up():
    dispute, _order = settled()
    dispute = carry_out(dispute)
    assert dispute.status == "follow_up"
    return dispute


def post(client, dispute, **fields):
    return client.post(
        f"/workbench/disputes/{dispute.number}/follow-up/",
        {f"followup-{name}": value for name, value in fields.items()},
    )


def test_a_satisfied_call_closes_the_dispute_and_shows_the_closure_summary(client):
    dispute = in_follow_up()
    logged_in(client, Role.AGENT)
    html = client.get(f"/workbench/disputes/{dispute.number}/").content.decode()
    follow = section(html, "follow-up")
    assert "登记回访" in follow and "满意度" in follow and "退款/赔付是否到账" in follow

    response = post(
        client,
        dispute,
        channel="phone",
        reached="yes",
        resolved="yes",
        refund_arrived="yes",
        satisfaction="5",
        comment="处理很快，谢谢",
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#follow-up")
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.status == "closed"
    follow = section(
        client.get(f"/workbench/disputes/{dispute.number}/").content.decode(), "follow-up"
    )
    assert "结案小结" in follow and "回访满意结案" in follow and "5/5" in follow
    assert "退货退款" in follow  # money by after-sale type
    assert "登记回访" not in follow  # nothing due any more


def test_an_unsatisfied_call_reopens_the_dispute(client):
    dispute = in_follow_up()
    logged_in(client, Role.AGENT)
    response = post(
        client,
        dispute,
        channel="wechat",
        reached="yes",
        resolved="no",
        refund_arrived="yes",
        satisfaction="2",
        comment="还是漏水",
    )
    assert response.status_code == 302
    dispute = Dispute.objects.get(pk=dispute.pk)
    assert dispute.status == "reopened" and dispute.reopen_count == 1


def test_bad_input_keeps_what_was_typed_and_names_the_field(client):
    dispute = in_follow_up()
    logged_in(client, Role.AGENT)
    # Reached, but no satisfaction: the service names the field.
    response = post(
        client, dispute, channel="phone", reached="yes", resolved="yes", comment="顾客说还行"
    )
    assert response.status_code == 422
    html = section(response.content.decode(), "follow-up")
    assert "顾客说还行" in html and "满意度" in html and "errorlist" in html
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"


def test_a_department_without_the_grant_sees_no_form_and_is_refused(client):
    dispute = in_follow_up()
    logged_in(client, Role.SUPERVISOR)  # reads every dispute; calls back closed ones only
    html = client.get(f"/workbench/disputes/{dispute.number}/").content.decode()
    assert "登记回访" not in section(html, "follow-up")
    response = post(client, dispute, channel="phone", reached="no")
    assert response.status_code == 403
    assert Dispute.objects.get(pk=dispute.pk).status == "follow_up"
