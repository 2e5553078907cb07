"""Seed cases, damages beyond the price: false advertising and fraud (CPL 55), unsafe
food (食品安全法 148), not stacked, not for a harmless label flaw (售后典型案例分析 案例二;
legal.md E30-E35).

Each case goes through the API only (tests/scenarios/helpers.py): the order, the
complaint with the customer's 诉求, the case facts recorded by a role allowed to, the
entitlements the law gives, and one to three proposal revisions judged by the statutory
check and the authority rules (agent 200, team lead 400, supervisor 600 yuan; management
unlimited; legal reviews below-minimum proposals). Dates follow legal.md §0 and §4's shared
assumption: signed Monday 2025-03-03, day 7 = 03-10. Issue 10's acceptance: "aim for what
the law says, not for a list"."""

from decimal import Decimal

import pytest

from aftersales.parties.roles import Role

from .helpers import (
    CPL55,
    Buyer,
    approvers,
    by_remedy,
    current,
    file_case,
    has_poppler,
    line,
    ok,
    order_body,
    shortfall_codes,
)

pytestmark = pytest.mark.django_db


def test_false_advertising_owes_cpl_55_damages_and_the_settlement_cites_cpl_55(staff):
    """售后典型案例分析 案例二「虚假宣传导致退货纠纷」: a "天然染发剂" advertised "无刺激性，
    不含有害物质"; 小王 used it, the merchant refused the return. Fraud (recorded by legal): the
    price back plus 3 × the price, at least 500 yuan (CPL 55(1); legal.md R19, E30). The
    dye was used, so no no-reason return (R04) — fraud gives the return anyway. A refund
    alone falls short; with 500 yuan of damages the agent needs the supervisor (500 is
    above the team lead's 400); once accepted, the agreement cites CPL 55 and not the
    no-reason article CPL 25 (issue 10 obs. 8)."""
    order = order_body(
        "T2025030307",
        [line("天然植物染发剂 自然黑", "128.00", sku="HD-NB-01")],
        buyer=Buyer("王小红", "13900001007", "tb_xiaowang"),
        store="美妆个护旗舰店",
    )
    case = file_case(
        staff,
        order,
        "T2025030307",
        claim_on="2025-03-08",
        description="商家宣传染发剂纯天然无刺激、不含有害物质，我用了以后头皮发红发痒，"
        "检测发现含对苯二胺，商家说我使用不当拒绝退货。",
        expectation="return_refund",
    ).investigate()
    case.record("已开封使用", intact=False)
    case.record("检测报告：含对苯二胺，与“不含有害物质”的宣传不符", fraud=True)

    ents = by_remedy(case.entitlements())
    assert "return_no_reason" not in ents
    assert ents["return"]["amount"] == "128.00"
    assert ents["punitive_damages"]["amount"] == "500.00"
    assert CPL55 in ents["punitive_damages"]["basis"]

    refund_only = [{"code": "return_refund", "amount": "128.00", "shipping_paid_by": "merchant"}]
    offered = ok(case.propose(refund_only), 201)
    low = current(offered)
    assert low["below_minimum"] is True
    (missing,) = [s for s in low["shortfalls"] if s["code"] == "compensation_below_statutory"]
    assert missing["required"] == "500.00"

    with_damages = [*refund_only, {"code": "compensation", "amount": "500.00"}]
    revised = current(ok(case.revise(offered["id"], with_damages, "依消保法第55条赔偿"), 201))
    assert revised["below_minimum"] is False and revised["shortfalls"] == []
    assert revised["authority_amount"] == "500.00"
    assert approvers(revised) == ["supervisor"]
    assert case.send(offered["id"]).status_code == 409
    assert case.approve(offered["id"], Role.TEAM_LEAD).status_code == 403
    assert case.approve(offered["id"], Role.SUPERVISOR, "法定赔偿").status_code == 200
    assert ok(case.send(offered["id"]))["state"] == "sent"
    assert case.accept(offered["id"])["state"] == "accepted"
    assert case.detail()["status"] == "executing"

    if has_poppler():
        text = case.agreement_text(offered["id"])
        assert "第五十五条" in text
        assert "第二十五条" not in text
        assert "500.00" in text


@pytest.mark.parametrize(
    ("price", "damages", "approver"),
    [
        ("100.00", "500.00", "supervisor"),  # E30: 3 × 100 = 300 < 500
        ("166.00", "500.00", "supervisor"),  # E32: 498 < 500
        ("167.00", "501.00", "supervisor"),  # E32: 501
        ("1000.00", "3000.00", "management"),  # E31
    ],
)
def test_fraud_damages_are_three_times_the_price_with_a_500_minimum(
    staff, price, damages, approver
):
    """legal.md E30-E32 (R19, CPL 55(1)): a fake-brand handbag sold as genuine; the price
    back with the goods plus max(3 × price, 500). Exactly the statutory figure passes and
    goes to the approver whose ceiling covers it; one fen less falls short."""
    order = order_body(
        "T2025030308",
        [line("真皮托特包（宣称正品）", price, sku="BAG-TOTE")],
        buyer=Buyer("陈静", "13900001008", "tb_chenjing"),
        store="轻奢箱包店",
    )
    case = file_case(
        staff,
        order,
        "T2025030308",
        claim_on="2025-03-23",
        description="包是假货，专柜鉴定不是正品，商家宣传是正品。",
        expectation="return_refund",
    ).investigate()
    case.record("专柜鉴定：非正品", fraud=True)

    ents = by_remedy(case.entitlements())
    assert ents["punitive_damages"]["amount"] == damages
    assert ents["return"]["amount"] == price

    lines = [
        {"code": "return_refund", "amount": price, "shipping_paid_by": "merchant"},
        {"code": "compensation", "amount": damages},
    ]
    offered = ok(case.propose(lines), 201)
    exact = current(offered)
    assert exact["below_minimum"] is False and exact["shortfalls"] == []
    assert approvers(exact) == [approver]

    lines[1]["amount"] = str(Decimal(damages) - Decimal("0.01"))
    low = current(ok(case.revise(offered["id"], lines, "少一分"), 201))
    assert low["below_minimum"] is True
    assert "compensation_below_statutory" in shortfall_codes(low)


@pytest.mark.parametrize(
    ("price", "damages", "low_offer", "low_approver"),
    [
        ("50.00", "1000.00", "500.00", "supervisor"),  # E33: 10 × 50 = 500 < 1000
        ("268.00", "2680.00", "1000.00", "management"),  # 10 × the price beats 1000
    ],
)
def test_food_past_its_shelf_life_owes_ten_times_the_price_at_least_1000(
    staff, price, damages, low_offer, low_approver
):
    """legal.md E33 (R21; 食品安全法 148(2)): packaged food sold after its shelf life (the
    seller's 明知 presumed): the price back plus max(10 × price, 3 × loss, 1000) — not the
    CPL 55 figure, which would be lower and does not stack. The CPL-55-sized offer falls
    short; the food figure passes and needs management (above the supervisor's 600)."""
    order = order_body(
        "T2025030309",
        [line("坚果礼盒（袋装）", price, sku="NUT-BOX")],
        buyer=Buyer("刘洋", "13900001009", "tb_liuyang"),
        store="山珍特产店",
    )
    case = file_case(
        staff,
        order,
        "T2025030309",
        claim_on="2025-03-13",
        description="收到的坚果已经过期两个月了，包装上的生产日期一看就过期了。",
        expectation="compensation",
    ).investigate()
    case.record("包装标示保质期至 2025-01-05，售出时已过期", food=True, food_safety_violation=True)

    ents = by_remedy(case.entitlements())
    assert ents["food_punitive_damages"]["amount"] == damages
    assert "食品安全法第一百四十八条" in ents["food_punitive_damages"]["basis"]
    assert "punitive_damages" not in ents  # FSL 148 and CPL 55 do not stack
    assert ents["return"]["amount"] == price

    lines = [
        {"code": "return_refund", "amount": price, "shipping_paid_by": "merchant"},
        {"code": "compensation", "amount": low_offer},
    ]
    offered = ok(case.propose(lines), 201)
    low = current(offered)
    assert low["below_minimum"] is True
    (missing,) = [s for s in low["shortfalls"] if s["code"] == "compensation_below_statutory"]
    assert missing["required"] == damages
    assert sorted(approvers(low)) == sorted(["legal", low_approver])

    lines[1]["amount"] = damages
    full = current(ok(case.revise(offered["id"], lines, "按食品安全法十倍赔偿"), 201))
    assert full["below_minimum"] is False and full["shortfalls"] == []
    assert full["authority_amount"] == damages
    assert approvers(full) == ["management"]


def test_unsafe_food_that_made_the_customer_ill_owes_three_times_the_loss_plus_the_loss(staff):
    """legal.md E34 (R21; SPC 2024 Art. 1): food for 500 yuan breaking a contaminant limit,
    medical costs 2000: compensatory 2000 plus punitive max(10 × 500, 3 × 2000, 1000) =
    6000 (the consumer elects 3 × the loss), on top of the price back. 6000 alone falls
    short by the loss; 8000 meets it and, above 600, needs management."""
    order = order_body(
        "T2025030318",
        [line("即食海参礼盒", "500.00", sku="SC-BOX")],
        buyer=Buyer("冯雪", "13900001018", "tb_fengxue"),
        store="山珍特产店",
    )
    case = file_case(
        staff,
        order,
        "T2025030318",
        claim_on="2025-03-20",
        description="吃了海参以后上吐下泻，去医院花了2000元，检测报告说重金属超标。",
        expectation="compensation",
    ).investigate()
    case.record("检测报告：镉含量超过食品安全国家标准限量", food=True, food_safety_violation=True)
    case.record("医院发票合计 2000 元", loss="2000.00")

    ents = by_remedy(case.entitlements())
    assert ents["food_punitive_damages"]["amount"] == "6000.00"
    assert ents["loss_compensation"]["amount"] == "2000.00"
    assert "punitive_damages" not in ents

    lines = [
        {"code": "return_refund", "amount": "500.00", "shipping_paid_by": "merchant"},
        {"code": "compensation", "amount": "6000.00"},
    ]
    offered = ok(case.propose(lines), 201)
    low = current(offered)
    assert low["below_minimum"] is True
    (missing,) = [s for s in low["shortfalls"] if s["code"] == "compensation_below_statutory"]
    assert (missing["required"], missing["offered"]) == ("8000.00", "6000.00")

    lines[1]["amount"] = "8000.00"
    full = current(ok(case.revise(offered["id"], lines, "医疗费加三倍损失"), 201))
    assert full["below_minimum"] is False and full["shortfalls"] == []
    assert approvers(full) == ["management"]


@pytest.mark.parametrize(
    ("facts", "damages"),
    [
        # E33's note: CPL 55 would give 500, FSL 148 gives 1000; the consumer cannot stack
        # them (SPC 2020 Art. 7; SPC 2024 Art. 9): the higher alone is owed.
        ({"food": True, "food_safety_violation": True, "fraud": True}, "1000.00"),
        # E35: a typo and a non-standard font, safe and not misleading: no punitive damages.
        ({"food": True, "food_safety_violation": True, "label_defect_only": True}, None),
    ],
    ids=["E33-fraud-and-food-not-stacked", "E35-label-typo-only"],
)
def test_food_punitive_damages_do_not_stack_with_fraud_nor_follow_a_harmless_label_flaw(
    staff, facts, damages
):
    """legal.md E33 (alternatives, not cumulative) and E35 (FSL 148(2) proviso; SPC 2024
    Art. 8): what the law owes beyond the price, and the compensation that meets it."""
    order = order_body(
        "T2025030319",
        [line("手工牛轧糖礼盒", "50.00", sku="NG-BOX")],
        buyer=Buyer("蒋青", "13900001019", "tb_jiangqing"),
        store="山珍特产店",
    )
    case = file_case(
        staff,
        order,
        "T2025030319",
        claim_on="2025-03-13",
        description="牛轧糖包装上的标签有问题，要求按食品安全法赔偿。",
        expectation="compensation",
    ).investigate()
    case.record("检测与标签核查结论", **facts)

    ents = by_remedy(case.entitlements())
    punitive = {r: e for r, e in ents.items() if r.endswith("punitive_damages")}
    if damages is None:
        assert punitive == {}, punitive
        offered = ok(case.propose([{"code": "apology"}]), 201)
        assert current(offered)["below_minimum"] is False
        return
    assert [(r, e["amount"]) for r, e in punitive.items()] == [("food_punitive_damages", damages)]
    lines = [
        {"code": "return_refund", "amount": "50.00", "shipping_paid_by": "merchant"},
        {"code": "compensation", "amount": damages},
    ]
    offered = current(ok(case.propose(lines), 201))
    assert offered["below_minimum"] is False and offered["shortfalls"] == []


def test_a_known_defect_that_injures_owes_the_loss_and_caps_punitive_damages_at_twice_it(
    staff,
):
    """legal.md E38 (R20; CPL 55(2), 民法典 1207): the seller knew a heater's wiring was
    defective; a fire seriously injures the customer; losses 100,000. Full damages of
    100,000 are owed; punitive damages up to 200,000 are for a court to set — a ceiling,
    not a floor. 售后服务的投诉处理规范「附带赔偿：重在质量事故造成人员及财产损害的，同时将会出现
    附带赔偿…待同意后方可办理」: the additional compensation is management's to approve."""
    order = order_body(
        "T2025030325",
        [line("油汀电暖器 13 片", "599.00", sku="HT-13")],
        buyer=Buyer("罗兰", "13900001025", "tb_luolan"),
    )
    case = file_case(
        staff,
        order,
        "T2025030325",
        claim_on="2025-04-12",
        description="电暖器插头处起火，家人烧伤住院，医疗费和误工等损失共十万元，"
        "厂家早知道这批线路有问题。",
        expectation="compensation",
    ).investigate()
    case.record("质检：电源线接头虚接过热起火", defect="quality")
    case.record("召回通知与内部邮件显示售前已知线路缺陷", known_defect_serious_harm=True)
    case.record("医疗费、护理费、误工费票据合计 100000 元", loss="100000.00")

    ents = by_remedy(case.entitlements())
    assert ents["loss_compensation"]["amount"] == "100000.00"
    assert ents["harm_punitive_damages"]["amount"] == "200000.00"

    lines = [
        {"code": "return_refund", "amount": "599.00", "shipping_paid_by": "merchant"},
        {"code": "incident_compensation", "amount": "50000.00"},
    ]
    offered = ok(case.propose(lines), 201)
    low = current(offered)
    (missing,) = [s for s in low["shortfalls"] if s["code"] == "compensation_below_statutory"]
    assert missing["required"] == "100000.00"  # the loss; the punitive ceiling is no floor

    lines[1]["amount"] = "100000.00"
    full = current(ok(case.revise(offered["id"], lines, "全额赔偿损失"), 201))
    assert full["below_minimum"] is False and full["shortfalls"] == []
    assert approvers(full) == ["management"]
