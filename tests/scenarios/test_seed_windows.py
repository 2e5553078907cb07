"""Seed cases, the 7-day no-reason return: its window (day 7 in, day 8 out, holidays not
extending it), the goods the law excludes, intactness and the per-order confirmation, the
physical store, and the quality route that survives every exclusion (legal.md E01-E12,
E46; 售后典型案例分析 服务案例一「退货服务」).

Each case goes through the API only (tests/scenarios/helpers.py): the order, the
complaint with the customer's 诉求, the case facts recorded by a role allowed to, the
entitlements the law gives, and one to three proposal revisions judged by the statutory
check and the authority rules (agent 200, team lead 400, supervisor 600 yuan; management
unlimited; legal reviews below-minimum proposals). Dates follow legal.md §0 and §4's shared
assumption: signed Monday 2025-03-03, day 7 = 03-10. Issue 10's acceptance: "aim for what
the law says, not for a list"."""

import pytest

from .helpers import (
    SIGNED,
    Buyer,
    by_remedy,
    current,
    falls_short_of,
    file_case,
    line,
    ok,
    order_body,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("signed", "claim_on", "last_day", "open_"),
    [
        (SIGNED, "2025-03-10", "2025-03-10", True),
        (SIGNED, "2025-03-11", "2025-03-10", False),
        ("2024-09-26", "2024-10-08", "2024-10-03", False),
    ],
    ids=["E01-day-7", "E02-day-8", "E46-national-day-not-extended"],
)
def test_the_no_reason_return_runs_to_day_7_and_holidays_do_not_extend_it(
    staff, signed, claim_on, last_day, open_
):
    """legal.md E01/E02 (D2-D3: day 0 is the signing, "within 7 days" includes day 7) and
    E46 (day 7 falls in the National Day holiday; the 民法典 203 extension is off by
    default, A7 noted); 售后典型案例分析 服务案例一「退货服务」. While the window is open,
    declining with an apology falls short of the no-reason return; afterwards it does
    not. Taking the shoes back at the price, the customer paying postage (R07), is never
    below and needs no authority."""
    order = order_body(
        "T2025030316",
        [line("男士休闲运动鞋 42 码", "299.00", sku="SH-42")],
        buyer=Buyer("高远", "13900001016", "tb_gaoyuan"),
        received_on=signed,
        store="潮流鞋服旗舰店",
    )
    case = file_case(
        staff,
        order,
        "T2025030316",
        claim_on=claim_on,
        description="鞋子试穿后不太喜欢，吊牌齐全没有穿出门，想七天无理由退货。",
        expectation="return_refund",
    ).investigate()
    case.record("顾客照片：吊牌完好，鞋底无磨损", intact=True)

    body = case.entitlements()
    ents = by_remedy(body)
    window = {w["code"]: w for w in body["windows"]}["no_reason_return"]
    assert (window["last_day"], window["open"]) == (last_day, open_)
    if open_:
        ent = ents["return_no_reason"]
        assert (ent["amount"], ent["shipping_paid_by"]) == ("299.00", "consumer")
        assert ent["merchant_deadline_days"] == 7
    else:
        assert ents == {}
    if signed != SIGNED:
        assert "A7" in {n["ref"] for n in body["notes"]}

    offered = ok(case.propose([{"code": "apology"}]), 201)
    declined = current(offered)
    assert declined["below_minimum"] is open_
    if open_:
        assert falls_short_of(declined, "return_no_reason"), declined["shortfalls"]

    back = [{"code": "return_refund", "amount": "299.00", "shipping_paid_by": "consumer",
             "deadline_days": 7}]  # fmt: skip
    taken = current(ok(case.revise(offered["id"], back, "同意退货"), 201))
    assert taken["below_minimum"] is False and taken["shortfalls"] == []
    assert taken["required_approvals"] == [] and taken["authority_amount"] == "0.00"


@pytest.mark.parametrize(
    ("product", "price", "kind", "facts", "claim_on", "description"),
    [
        (
            "定制刻字项链（刻“Forever 2025”）",
            "520.00",
            "custom_made",
            {"intact": True},
            "2025-03-06",
            "项链收到了，刻字没问题，就是戴上不太喜欢，想七天无理由退货。",
        ),
        (
            "《三体》全集电子书兑换码",
            "49.90",
            "digital",
            {"intact": True, "digital_unsealed": True},
            "2025-03-04",
            "电子书兑换码已经兑换了，但不想看了，想退款。",
        ),
        (
            "智利车厘子 2.5kg 礼盒",
            "199.00",
            "perishable",
            {"intact": True},
            "2025-03-05",
            "车厘子没问题，但家里人不爱吃，想无理由退货。",
        ),
    ],
    ids=["E05-custom-made", "E09-digital-downloaded", "R02-perishable"],
)
def test_custom_made_digital_and_perishable_goods_have_no_no_reason_return(
    staff, product, price, kind, facts, claim_on, description
):
    """legal.md E05, E09 and R02 (CPL 25(1) items 1-4; SAIC 90 Art. 6): custom-made,
    downloaded digital and fresh perishable goods are excluded from the 7-day no-reason
    return by law, with no confirmation needed. With no defect the law gives nothing:
    declining with an apology is not below any minimum."""
    order = order_body(
        "T2025030314",
        [line(product, price, sku=f"EX-{kind}", goods_kind=kind)],
        buyer=Buyer("林晓", "13900001014", "tb_linxiao"),
        store="优选生活旗舰店",
    )
    case = file_case(
        staff, order, "T2025030314", claim_on=claim_on, description=description,
        expectation="return_refund",
    ).investigate()  # fmt: skip
    case.record("商品完好，顾客无质量问题反映", **facts)

    body = case.entitlements()
    assert body["facts"]["goods_kind"] == kind
    assert "return_no_reason" not in by_remedy(body)
    assert body["entitlements"] == []

    offered = ok(case.propose([{"code": "apology"}]), 201)
    assert current(offered)["below_minimum"] is False
    assert current(offered)["required_approvals"] == []


def test_mouldy_strawberries_are_excluded_from_no_reason_return_but_not_from_quality(staff):
    """legal.md E06 (R02, R09): fresh strawberries arrive mouldy, reported on day 1: not
    through the no-reason return (perishable) but through the quality route: the price
    back, the merchant paying any transport. The customer keeps the rotten fruit and
    asks 仅退款 of the full 89 yuan: not below the minimum (a full refund without the
    goods is at least a return), 89 counted toward the agent's 200."""
    order = order_body(
        "T2025030315",
        [line("丹东红颜草莓 1.5kg", "89.00", sku="SB-15", goods_kind="perishable")],
        buyer=Buyer("黄蕾", "13900001015", "tb_huanglei"),
        store="鲜果直供店",
    )
    case = file_case(
        staff,
        order,
        "T2025030315",
        claim_on="2025-03-04",  # day 1
        description="草莓收到就发霉烂了一大半，不新鲜，要求仅退款。",
        expectation="refund",
    ).investigate()
    case.record("质检：照片显示霉变超过一半", defect="quality")

    ents = by_remedy(case.entitlements())
    assert "return_no_reason" not in ents
    assert ents["return"]["amount"] == "89.00"
    assert ents["return"]["shipping_paid_by"] == "merchant"

    offered = ok(case.propose([{"code": "refund", "amount": "89.00"}]), 201)
    revision = current(offered)
    assert revision["below_minimum"] is False, revision["shortfalls"]
    assert revision["authority_amount"] == "89.00"
    assert revision["required_approvals"] == []
    assert ok(case.send(offered["id"]))["state"] == "sent"


@pytest.mark.parametrize(
    ("recorded", "returnable"),
    [
        ({"excluded_confirmed": True, "intact": False}, False),  # E10
        ({"excluded_confirmed": False, "intact": True}, True),  # E11
        ({"excluded_confirmed": False, "intact": False}, False),  # E12
    ],
    ids=["E10-confirmed-and-opened", "E11-no-confirmation-sealed", "E12-seal-broken"],
)
def test_a_face_serum_goes_back_only_sealed_and_only_without_a_per_order_confirmation(
    staff, recorded, returnable
):
    """legal.md E10-E12 (R03: the Art. 7 categories need the consumer's per-order
    confirmation; R04: cosmetics whose one-time seal is broken are not intact):
    a 268-yuan face serum, day 3, no defect."""
    order = order_body(
        "T2025030321",
        [line("玻尿酸精华液 30ml", "268.00", sku="SR-30")],
        buyer=Buyer("唐糖", "13900001021", "tb_tangtang"),
        store="美妆个护旗舰店",
    )
    case = file_case(
        staff,
        order,
        "T2025030321",
        claim_on="2025-03-06",
        description="精华液不想要了，申请七天无理由退货。",
        expectation="return_refund",
    ).investigate()
    case.record("下单页面与封口核查", **recorded)

    ents = by_remedy(case.entitlements())
    assert ("return_no_reason" in ents) is returnable, ents
    if returnable:
        assert ents["return_no_reason"]["amount"] == "268.00"
    offered = current(ok(case.propose([{"code": "apology"}]), 201))
    assert offered["below_minimum"] is returnable


@pytest.mark.parametrize(
    ("defect", "remedies"),
    [(None, set()), ("quality", {"return", "exchange", "repair"})],
    ids=["E04-no-defect", "R09-defect-any-channel"],
)
def test_a_physical_store_sale_has_no_no_reason_return_but_keeps_the_quality_return(
    staff, defect, remedies
):
    """legal.md E04 (R01: offline sales have no statutory no-reason right, only the
    store's own policy) and R09 ("Any sales channel"): shoes bought in the store, back on
    day 2. Without a defect nothing is owed; with one, the return at the merchant's
    cost."""
    order = order_body(
        "T2025030320",
        [line("女士小白鞋 37 码", "359.00", sku="WS-37")],
        buyer=Buyer("韩梅", "13900001020", "walk_in"),
        store="万达广场鞋店",
        platform="offline",
        channel="offline",
    )
    case = file_case(
        staff,
        order,
        "T2025030320",
        claim_on="2025-03-05",
        description="前天在店里买的鞋，回家后不想要了，想退。"
        if defect is None
        else "前天在店里买的鞋，鞋底开胶了，想退。",
        expectation="return_refund",
    ).investigate()
    if defect:
        case.record("质检：鞋底开胶", defect=defect)
    body = case.entitlements()
    assert body["facts"]["channel"] == "offline"
    ents = by_remedy(body)
    assert set(ents) == remedies, ents
    assert "no_reason_return" not in {w["code"] for w in body["windows"]}
    if defect:
        assert (ents["return"]["amount"], ents["return"]["shipping_paid_by"]) == (
            "359.00",
            "merchant",
        )
    offered = current(ok(case.propose([{"code": "apology"}]), 201))
    assert offered["below_minimum"] is bool(defect)
