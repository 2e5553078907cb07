"""Accepting a proposal creates its after-sale orders (售后单, SPEC §7): one per agreed line
with something to carry out, with the line's type, money and deadline, each an event on
the timeline and a task for the department that must act; and once they are carried out,
the money paid equals the agreement's, line by line."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.disputes.models import Event, Task
from aftersales.fulfilment.aftersale_orders import aftersale_orders_from_agreement
from aftersales.fulfilment.models import AfterSaleOrder
from aftersales.mediation import execution_lines, proposals, remedy_lines
from aftersales.mediation.models import SettlementAgreement
from aftersales.mediation.remedies import RemedyCode, RemedyItem
from aftersales.parties.actors import SYSTEM
from tests.factories import OrderFactory, carry_out, step

from .proposal_helpers import investigating_dispute

pytestmark = pytest.mark.django_db

LINES = [
    {"code": "refund", "amount": "100.00", "deadline_days": 3},
    {"code": "return_refund", "amount": "1800.00", "shipping_paid_by": "merchant"},
    {"code": "coupon", "amount": "20.00"},
    {"code": "apology"},
]


def accepted(remedies: list[dict], *, order=None, at: dt.datetime | None = None):
    """A dispute whose proposal with `remedies` the customer accepted at `at`."""
    dispute = investigating_dispute(order=order)
    proposals.proposal_create(dispute=dispute, actor=SYSTEM, remedies_raw=remedies, at=at)
    step(dispute, "propose", at=at)
    return step(dispute, "settle", at=at)


def orders_of(dispute) -> list[AfterSaleOrder]:
    return list(AfterSaleOrder.objects.filter(dispute=dispute).order_by("remedy_line"))


def test_accepting_makes_one_order_per_line_with_something_to_do():
    now = timezone.now()
    dispute = accepted(LINES, at=now)
    assert dispute.status == "executing"
    refund, ret, coupon = orders_of(dispute)
    agreement = SettlementAgreement.objects.get(dispute=dispute)

    # The goods had shipped (the order has a shipping time): a refund without return.
    assert (refund.type, refund.state, refund.amount) == (
        "refund_shipped",
        "awaiting_finance",
        Decimal("100.00"),
    )
    assert refund.deadline_at == now + dt.timedelta(days=3)
    assert refund.payment_channel == "alipay"
    assert (ret.type, ret.state, ret.amount, ret.variant) == (
        "return_refund",
        "awaiting_return_address",
        Decimal("1800.00"),
        "",
    )
    assert ret.deadline_at == now + dt.timedelta(days=7)  # the catalogue's default
    assert (coupon.type, coupon.compensation_form, coupon.state, coupon.amount) == (
        "compensation",
        "coupon",
        "awaiting_issue",
        Decimal("20.00"),
    )
    # The apology (line 3) has nothing to carry out.
    assert [o.remedy_line for o in (refund, ret, coupon)] == [0, 1, 2]
    assert {o.agreement_id for o in (refund, ret, coupon)} == {agreement.pk}
    assert [o.remedy_code for o in (refund, ret, coupon)] == ["refund", "return_refund", "coupon"]

    created = Event.objects.filter(dispute=dispute, kind="aftersale_state")
    assert sorted((e.payload["number"], e.payload["action"], e.payload["to"]) for e in created) == [
        (refund.number, "create", "awaiting_finance"),
        (ret.number, "create", "awaiting_return_address"),
        (coupon.number, "create", "awaiting_issue"),
    ]
    open_tasks = Task.objects.filter(dispute=dispute, kind__startswith="aftersale_", state="open")
    assert sorted(open_tasks.values_list("department", flat=True)) == [
        "customer_service",
        "finance",
        "operations",
    ]


def test_making_the_orders_again_makes_nothing_new():
    dispute = accepted(LINES)
    agreement = SettlementAgreement.objects.get(dispute=dispute)
    items = [RemedyItem.from_dict(d) for d in agreement.revision.remedies]
    again = aftersale_orders_from_agreement(
        dispute=dispute,
        agreement_id=agreement.pk,
        lines=execution_lines.agreed_lines(items, shipped=True),
        actor=SYSTEM,
    )
    assert again == []
    assert AfterSaleOrder.objects.filter(dispute=dispute).count() == 3
    assert Event.objects.filter(dispute=dispute, kind="aftersale_state").count() == 3


def test_a_refund_before_shipping_is_an_unshipped_refund():
    order = OrderFactory(shipped_at=None, received_at=None, tracking_no="")
    dispute = accepted([{"code": "refund", "amount": "1999.00"}], order=order)
    (refund,) = orders_of(dispute)
    assert (refund.type, refund.amount) == ("refund_unshipped", Decimal("1999.00"))


def test_the_proposal_may_pay_the_refund_before_the_return():
    dispute = accepted([{"code": "return_refund", "amount": "1999.00", "refund_first": True}])
    (ret,) = orders_of(dispute)
    assert (ret.type, ret.variant, ret.state) == (
        "return_refund",
        "refund_first",
        "awaiting_finance",
    )


def test_an_exchange_to_a_dearer_item_waits_for_the_customers_payment_and_may_ship_first():
    dispute = accepted([{"code": "exchange", "customer_pays": "50.00", "ship_first": True}])
    (exchange,) = orders_of(dispute)
    assert (exchange.type, exchange.variant, exchange.state) == (
        "exchange",
        "ship_first",
        "awaiting_customer_payment",
    )
    assert (exchange.amount, exchange.customer_pays) == (None, Decimal("50.00"))


def test_carried_out_the_money_paid_equals_the_agreements_line_by_line():
    dispute = accepted(LINES)
    agreement = SettlementAgreement.objects.get(dispute=dispute)
    dispute = carry_out(dispute)
    assert dispute.status == "follow_up"
    agreed = {i: RemedyItem.from_dict(d).amount for i, d in enumerate(agreement.revision.remedies)}
    orders = orders_of(dispute)
    assert all(o.state == "done" for o in orders)
    money = [o for o in orders if o.type != "compensation"]  # the coupon is no payout
    assert {o.remedy_line: o.paid_amount for o in money} == {
        o.remedy_line: agreed[o.remedy_line] for o in money
    }
    assert sum(o.paid_amount for o in money) == Decimal("1900.00")


def test_every_remedy_maps_to_its_order_or_to_none():
    shipped = {c: execution_lines.aftersale_type(c, shipped=True) for c in RemedyCode}
    assert shipped == {
        RemedyCode.REFUND: ("refund_shipped", ""),
        RemedyCode.RETURN_REFUND: ("return_refund", ""),
        RemedyCode.EXCHANGE: ("exchange", ""),
        RemedyCode.RESHIP: ("reship", ""),
        RemedyCode.REPAIR: ("repair", ""),
        RemedyCode.PRICE_DIFFERENCE: ("price_protection", ""),
        RemedyCode.COUPON: ("compensation", "coupon"),
        RemedyCode.GIFT: ("compensation", "gift"),
        RemedyCode.DISCOUNT: ("compensation", "coupon"),
        RemedyCode.SHIPPING_COMPENSATION: ("shipping_compensation", ""),
        RemedyCode.COMPENSATION: ("compensation", "money"),
        RemedyCode.APOLOGY: None,
        RemedyCode.GUIDANCE: None,
        RemedyCode.WHOLE_EXCHANGE: ("exchange", ""),
        RemedyCode.TAKE_BACK: ("return_refund", ""),
        RemedyCode.INCIDENT_COMPENSATION: ("compensation", "money"),
    }
    assert execution_lines.aftersale_type("refund", shipped=False) == ("refund_unshipped", "")


def test_a_bundle_return_carries_what_the_customer_keeps():
    item = RemedyItem(
        code=RemedyCode.RETURN_REFUND, amount=Decimal("300.00"), deadline_days=5, kept=("滤芯",)
    )
    (line,) = execution_lines.agreed_lines([item], shipped=True)
    assert (line.kept, line.deadline_days, line.amount) == (("滤芯",), 5, Decimal("300.00"))


@pytest.mark.parametrize(
    ("line", "field", "code"),
    [
        (
            {"code": "refund", "amount": "10.00", "refund_first": True},
            "refund_first",
            "flag_not_applicable",
        ),
        (
            {"code": "return_refund", "amount": "10.00", "ship_first": True},
            "ship_first",
            "flag_not_applicable",
        ),
        ({"code": "exchange", "ship_first": "yes"}, "ship_first", "flag_not_bool"),
    ],
)
def test_a_flag_on_a_line_it_does_not_fit_is_refused(line, field, code):
    items, problems = remedy_lines.parse_items([line], "quality")
    assert items == []
    assert [(p.field, p.code) for p in problems] == [(f"remedies.0.{field}", code)]


def test_the_flags_survive_storage():
    items, problems = remedy_lines.parse_items(
        [
            {"code": "return_refund", "amount": "10.00", "refund_first": True},
            {"code": "exchange", "ship_first": True},
            {"code": "coupon", "amount": "5.00", "refund_first": False},
        ],
        "quality",
    )
    assert problems == []
    stored = [i.as_dict() for i in items]
    assert "refund_first" not in stored[2] and "ship_first" not in stored[2]
    assert [RemedyItem.from_dict(d) for d in stored] == items
    assert [(i.refund_first, i.ship_first) for i in items] == [
        (True, False),
        (False, True),
        (False, False),
    ]
