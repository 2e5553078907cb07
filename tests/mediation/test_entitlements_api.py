"""GET /api/v1/disputes/{number}/entitlements: the engine on a dispute's own facts."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Order, Product, Store
from aftersales.parties.roles import Role
from tests.factories import OrderFactory, StoreFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

SIGNED = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # 20:00 in Shanghai


def url(dispute) -> str:
    return f"/api/v1/disputes/{dispute.number}/entitlements"


def dispute_for(order, claimed: str = "2025-03-10T10:00:00+08:00", **intake):
    return make_dispute(order, received_at=claimed, **intake)


def test_an_online_order_signed_a_week_ago_can_go_back_without_reason(api_as, agent):
    order = OrderFactory(amount_paid=Decimal("1999.00"), received_at=SIGNED)
    dispute = dispute_for(order, amount_paid="1899.00")
    r = api_as(agent).get(url(dispute))
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["evaluated"] is True
    assert body["facts"]["channel"] == "online"
    assert body["facts"]["received_on"] == "2025-03-03"
    assert body["facts"]["claim_on"] == "2025-03-10"
    assert body["facts"]["price"] == "1899.00"  # what the dispute says was paid
    assert body["facts"]["three_guarantees"] is True  # from the product
    assert body["sources"]["price"] == "dispute"
    assert body["sources"]["received_on"] == "order"
    assert body["sources"]["goods_kind"] == "product"
    assert "defect" in body["assumed"] and body["missing"] == {}

    (ent,) = body["entitlements"]
    assert ent["remedy"] == "return_no_reason"
    assert ent["label"] == "七日无理由退货"
    assert ent["rules"] == ["R01"]
    assert ent["amount"] == "1899.00"
    assert ent["shipping_paid_by"] == "consumer"
    assert ent["merchant_deadline_days"] == 7
    assert ent["merchant_deadline_from"] == "自经营者收到退回商品之日起"
    assert "消费者权益保护法第二十五条" in ent["basis"]
    assert ent["overdue_after"]["last_day"] == "2025-03-25"
    assert ent["overdue_after"]["ends_at"] == "2025-03-25T23:59:59+08:00"
    assert "第三十一条" in ent["overdue_after"]["basis"]

    windows = {w["code"]: w for w in body["windows"]}
    assert windows["no_reason_return"]["last_day"] == "2025-03-10"
    assert windows["no_reason_return"]["open"] is True
    assert windows["sanbao_exchange"]["last_day"] == "2025-03-18"
    assert windows["sanbao_validity"]["last_day"] == "2026-03-03"
    assert {n["ref"] for n in body["notes"]} == {"A2", "A8"}


def test_day_8_in_shanghai_has_no_statutory_return(api_as, agent):
    # Signed 03-02 16:30 UTC = 03-03 00:30 Shanghai; claimed 03-11 = day 8.
    order = OrderFactory(received_at=datetime(2025, 3, 2, 16, 30, tzinfo=UTC))
    dispute = dispute_for(order, claimed="2025-03-11T09:00:00+08:00")
    body = api_as(agent).get(url(dispute)).json()
    assert body["facts"]["received_on"] == "2025-03-03"
    assert body["entitlements"] == []
    windows = {w["code"]: w for w in body["windows"]}
    assert windows["no_reason_return"]["open"] is False


def test_a_physical_store_sale_has_no_no_reason_return(api_as, agent):
    store = StoreFactory(code="shop-1", platform=Store.Platform.OFFLINE)
    order = OrderFactory(store=store, received_at=SIGNED)
    body = api_as(agent).get(url(dispute_for(order, claimed="2025-03-05T10:00:00+08:00"))).json()
    assert body["facts"]["channel"] == "offline"
    assert body["sources"]["channel"] == "store"
    assert body["entitlements"] == []


def test_the_products_goods_kind_counts(api_as, agent):
    order = OrderFactory(received_at=SIGNED, sale_channel=Order.SaleChannel.LIVE_STREAM)
    Product.objects.filter(order_lines__order=order).update(goods_kind="custom_made")
    body = api_as(agent).get(url(dispute_for(order, claimed="2025-03-05T10:00:00+08:00"))).json()
    assert body["facts"]["goods_kind"] == "custom_made"
    assert body["facts"]["channel"] == "live_stream"
    assert body["entitlements"] == []
    assert [n["ref"] for n in body["notes"]] == ["A14"]


def test_an_order_not_yet_signed_for_cannot_be_evaluated(api_as, agent):
    order = OrderFactory(received_at=None)
    body = api_as(agent).get(url(dispute_for(order))).json()
    assert body["evaluated"] is False
    assert set(body["missing"]) == {"received_on"}
    assert body["missing"]["received_on"] == "订单没有签收时间，期限无从起算"
    assert body["entitlements"] == [] and body["facts"] == {}


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.MANAGEMENT, Role.ADMIN])
def test_roles_that_read_every_dispute_see_its_entitlements(api_as, role):
    dispute = dispute_for(OrderFactory(received_at=SIGNED))
    assert api_as(make_staff(role)).get(url(dispute)).status_code == 200


def test_outside_ones_scope_it_is_404_like_the_dispute(api_as):
    dispute = dispute_for(OrderFactory(received_at=SIGNED))
    outsider = make_staff(Role.LOGISTICS)
    r = api_as(outsider).get(url(dispute))
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert api_as(outsider).get(f"/api/v1/disputes/{dispute.number}").status_code == 404
    assert api_as(outsider).get("/api/v1/disputes/SH20990101999999/entitlements").status_code == 404


def test_anonymous_is_401(client):
    dispute = dispute_for(OrderFactory(received_at=SIGNED))
    assert client.get(url(dispute)).status_code == 401


# -- the investigation's facts --------------------------------------------------------

LEAK = "热水器用了三天就漏水，地板都泡坏了，要求退货退款。"


def qc_found(dispute, defect: bool):
    from aftersales.disputes.models import Task
    from aftersales.mediation.investigation import task_report_file

    task = Task.objects.create(
        dispute=dispute, department="quality_control", kind="qc_inspection", title="质检"
    )
    extra = {"defect_severity": "major"} if defect else {}
    task_report_file(
        task=task, actor=SYSTEM, text="通电测试后底部焊缝渗水。", defect_found=defect, **extra
    )


def test_qc_finding_no_defect_is_a_fact_too(api_as, agent):
    dispute = dispute_for(OrderFactory(received_at=SIGNED), claimed="2025-03-20T10:00:00+08:00")
    qc_found(dispute, defect=False)
    body = api_as(agent).get(url(dispute)).json()
    assert body["facts"]["defect"] == "none" and body["sources"]["defect"] == "qc_report"
    assert remedies(body) == []


def remedies(body) -> list[str]:
    return [e["remedy"] for e in body["entitlements"]]


def test_a_qc_defect_on_ordinary_goods_is_a_quality_claim_paid_by_the_merchant(api_as, agent):
    order = OrderFactory(received_at=SIGNED)
    Product.objects.filter(order_lines__order=order).update(three_guarantees=False)
    dispute = dispute_for(order, claimed="2025-03-20T10:00:00+08:00", description=LEAK)  # day 17
    before = api_as(agent).get(url(dispute)).json()
    assert remedies(before) == [] and "defect" in before["assumed"]

    qc_found(dispute, defect=True)
    body = api_as(agent).get(url(dispute)).json()
    assert body["facts"]["defect"] == "quality"
    assert body["sources"]["defect"] == "qc_report"
    assert "defect" not in body["assumed"]
    assert remedies(body) == ["exchange", "repair"]  # after day 7: no return
    assert {e["shipping_paid_by"] for e in body["entitlements"]} == {"merchant"}


def test_a_qc_defect_on_three_guarantees_goods_is_a_performance_fault(api_as, agent):
    order = OrderFactory(received_at=SIGNED)  # the factory's product is under 三包
    dispute = dispute_for(order, claimed="2025-03-13T10:00:00+08:00", description=LEAK)  # day 10
    qc_found(dispute, defect=True)
    body = api_as(agent).get(url(dispute)).json()
    assert body["facts"]["defect"] == "performance_fault"
    assert remedies(body) == ["exchange", "repair"]  # 三包 day 8–15: no return


def test_customer_misuse_found_by_responsibility_leaves_no_quality_claim(api_as, agent):
    from aftersales.mediation.investigation import responsibility_determine

    order = OrderFactory(received_at=SIGNED)
    dispute = dispute_for(order, claimed="2025-03-20T10:00:00+08:00", description=LEAK)
    qc_found(dispute, defect=True)
    assert remedies(api_as(agent).get(url(dispute)).json()) == ["repair"]  # 三包 validity

    responsibility_determine(
        dispute=dispute,
        actor=SYSTEM,
        shares={"customer": 100},
        root_causes=["customer_misuse"],
        note="顾客自行拆机改装",
    )
    body = api_as(agent).get(url(dispute)).json()
    assert body["facts"]["defect"] == "none"
    assert body["sources"]["defect"] == "responsibility"
    assert remedies(body) == []


def test_repairs_done_on_the_order_count_as_failed_repairs(api_as, agent):
    from tests.factories import make_failed_repairs

    order = OrderFactory(received_at=SIGNED)
    dispute = dispute_for(order, claimed="2025-06-20T10:00:00+08:00", description=LEAK)
    qc_found(dispute, defect=True)
    make_failed_repairs(dispute, 2, fault="更换密封圈")
    body = api_as(agent).get(url(dispute)).json()
    assert body["facts"]["failed_repairs"] == 2
    assert body["sources"]["failed_repairs"] == "repair_records"
    assert remedies(body) == ["return", "exchange"]  # two failed repairs under 三包
