"""The portal counts a customer's requests in the API's windows (429 in plain words
past the limit), and the rating form marks a missing score."""

import pytest
from django.test import Client, override_settings

from .conftest import visible

pytestmark = pytest.mark.django_db


def test_too_many_requests_by_the_link_answer_429_in_plain_words(proposed, settings):
    _customer, _order, _dispute, token, _code = proposed
    from django.core.cache import cache

    cache.clear()
    limits = {**settings.RATE_LIMITS, "customer_ip_minute": "2/min"}
    with override_settings(RATE_LIMITS=limits):
        client = Client()
        assert client.get(f"/portal/mediation/{token}/").status_code == 200
        assert client.get(f"/portal/mediation/{token}/").status_code == 200
        third = client.get(f"/portal/mediation/{token}/")
    assert third.status_code == 429
    assert "操作太频繁" in visible(third)
    assert int(third["Retry-After"]) >= 1
    cache.clear()


def test_a_rating_without_a_score_is_marked(client_of, mine):
    customer, order, dispute = mine
    response = client_of(customer, order).post(
        f"/portal/disputes/{dispute.number}/rating/", {"rating-comment": "还行"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert "还行" in body
    assert 'name="rating-satisfaction"' in body
    assert 'aria-invalid="true"' in body


def test_the_link_takes_the_return_tracking_too(proposed):
    from django.utils import timezone

    from aftersales.fulfilment.models import AfterSaleOrder
    from tests.factories import carry_to

    _customer, _order, dispute, token, code = proposed
    client = Client()
    client.post(f"/portal/mediation/{token}/accept/", {"accept-code": code})
    aftersale = AfterSaleOrder.objects.filter(dispute=dispute).order_by("id").first()
    carry_to(aftersale, "awaiting_return", at=timezone.now())
    key = f"return-{aftersale.number}"
    done = client.post(
        f"/portal/mediation/{token}/orders/{aftersale.number}/return/",
        {f"{key}-carrier": "中通快递", f"{key}-tracking_no": "ZT9876543210"},
        follow=True,
    )
    assert "退货物流已登记" in visible(done)
    assert "商品寄回途中" in visible(done)


@pytest.mark.parametrize(("score", "status"), [(4, "closed"), (2, "reopened")])
def test_the_customers_rating_is_the_follow_up_answer(client_of, mine, score, status):
    """Rated in the portal while the follow-up is due: satisfied closes the dispute,
    unsatisfied reopens it; the visit records the customer's own answer."""
    from aftersales.disputes.models import Dispute
    from aftersales.followup.models import FollowUpVisit
    from tests.factories import walk_to
    from tests.followup.conftest import complete

    customer, order, dispute = mine
    dispute = complete(walk_to(dispute, "executing"))
    assert dispute.status == "follow_up"
    client = client_of(customer, order)
    url = f"/portal/disputes/{dispute.number}/rating/"
    response = client.post(url, {"rating-satisfaction": score, "rating-comment": "处理及时"})
    assert response.status_code == 302
    assert Dispute.objects.get(pk=dispute.pk).status == status
    visit = FollowUpVisit.objects.get(dispute=dispute)
    assert (visit.satisfaction, visit.channel, visit.comment) == (score, "portal", "处理及时")
    assert "感谢您的评价" in visible(client.get(response["Location"]))
    # Once answered there is nothing left to rate.
    again = client.post(url, {"rating-satisfaction": 5, "rating-comment": ""})
    assert again.status_code in (409, 422)
    assert "现在不需要评价" in visible(again)
    assert FollowUpVisit.objects.get(dispute=dispute).satisfaction == score
