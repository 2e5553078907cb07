"""The rules table (legal.md §2) and its evaluation in legal.md §3's order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal

from .case import (
    CAR_FAILED_REPAIRS,
    NO_REASON_DAYS,
    REFUND_DAYS,
    SANBAO_FAILED_REPAIRS,
    SANBAO_PARTS_WAIT_DAYS,
    SANBAO_REPAIR_DAYS,
    Case,
    add_years,
)
from .facts import (
    BROADCAST_SALES,
    Anchor,
    Defect,
    Entitlement,
    Facts,
    Payer,
    Remedy,
    Result,
    money,
)
from .laws import CAR, CPL, SAIC90, SANBAO
from .notes import NOTES
from .periods import windows

# -- the rules table (legal.md §2), in legal.md §3's order ---------------------------------

Amount = Callable[[Facts], Decimal] | None


def _price(f: Facts) -> Decimal:
    return f.price


def _loss(f: Facts) -> Decimal:
    return f.loss


def _fraud_damages(f: Facts) -> Decimal:
    return max(3 * f.price, Decimal(500))


def _food_damages(f: Facts) -> Decimal:
    return max(10 * f.price, 3 * f.loss, Decimal(1000))


def _harm_damages(f: Facts) -> Decimal:
    return 2 * f.loss


@dataclass(frozen=True)
class Grant:
    remedy: Remedy
    amount: Amount = None
    shipping: Payer | None = None
    deadline_days: int | None = None
    anchor: Anchor | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    basis: str
    when: Callable[[Case], bool]
    grants: tuple[Grant, ...]
    notes: tuple[str, ...] = ()
    summary: str = ""


M = Payer.MERCHANT

RULES: tuple[Rule, ...] = (
    # §3 step 3: a defect. A household car takes the car rule (2021), the national rule for
    # cars in place of the 1995 rule and CPL 24's default; which part failed and the mileage
    # (Arts. 20-23, the km limits) are not facts of the contract, so the car notes list them.
    Rule(
        "R18g",
        f"{CAR}第二十四条；{CPL}第二十四条",
        lambda c: c.car and c.in_car_validity and c.facts.failed_repairs >= CAR_FAILED_REPAIRS,
        (Grant(Remedy.EXCHANGE, None, M), Grant(Remedy.RETURN, _price, M)),
        ("car_rules", "car_usage_fee"),
        "家用汽车三包有效期内严重安全性能故障等累计修理2次仍未排除：换车或退车",
    ),
    Rule(
        "R18b",
        f"{CAR}第十九条；{CPL}第二十四条",
        lambda c: (
            c.car
            and c.in_car_warranty
            and not (c.in_car_validity and c.facts.failed_repairs >= CAR_FAILED_REPAIRS)
        ),
        (Grant(Remedy.REPAIR, None, M),),
        ("car_rules",),
        "家用汽车包修期内质量问题：免费修理",
    ),
    # 三包 goods with a performance fault take the national rule.
    Rule(
        "R11",
        f"{SANBAO}第九条；{CPL}第二十四条",
        lambda c: c.sanbao and c.sanbao_return_open,
        (
            Grant(Remedy.RETURN, _price, M),
            Grant(Remedy.EXCHANGE, None, M),
            Grant(Remedy.REPAIR, None, M),
        ),
        ("sanbao_window_anchor", "sanbao_rule_unverified"),
        "三包商品售出7日内性能故障：退货、换货或修理",
    ),
    Rule(
        "R12",
        f"{SANBAO}第十条；{CPL}第二十四条",
        lambda c: c.sanbao and not c.sanbao_return_open and c.sanbao_exchange_open,
        (Grant(Remedy.EXCHANGE, None, M), Grant(Remedy.REPAIR, None, M)),
        ("sanbao_window_anchor", "sanbao_rule_unverified"),
        "三包商品售出第8–15日性能故障：换货或修理，不能退货",
    ),
    Rule(
        "R13",
        f"{SANBAO}第八条；{CPL}第二十四条",
        lambda c: (
            c.sanbao and not c.sanbao_exchange_open and c.in_validity and not c.sanbao_exchange_due
        ),
        (Grant(Remedy.REPAIR, None, M, SANBAO_REPAIR_DAYS, Anchor.HANDED_IN),),
        ("sanbao_window_anchor", "sanbao_rule_unverified"),
        "三包有效期内性能故障：免费修理",
    ),
    Rule(
        "R14",
        f"{SANBAO}第十一条、第十三条",
        lambda c: c.sanbao and c.in_validity and c.facts.failed_repairs >= SANBAO_FAILED_REPAIRS,
        (Grant(Remedy.EXCHANGE, None, M), Grant(Remedy.RETURN, _price, M)),
        ("sanbao_window_anchor", "sanbao_rule_unverified", "sanbao_return_depreciation"),
        "三包有效期内修理两次仍不能正常使用：免费换货或退货",
    ),
    Rule(
        "R15",
        f"{SANBAO}第十二条",
        lambda c: (
            c.sanbao
            and c.in_validity
            and (
                c.facts.parts_wait_days > SANBAO_PARTS_WAIT_DAYS
                or c.facts.repair_delay_days > SANBAO_REPAIR_DAYS
            )
        ),
        (Grant(Remedy.EXCHANGE, None, M),),
        ("sanbao_window_anchor", "sanbao_rule_unverified"),
        "三包有效期内待件超过90日或因修理者原因修理超过30日：免费换货",
    ),
    # Otherwise CPL 24: return within 7 days of receipt (its default clause). Exchange and
    # repair rest on the general duty to repair, replace or take back (PQL 40; 民法典 582)
    # at any time until the 2-year notice limit (民法典 621); after day 7 they are all CPL 24
    # gives unless the contract's purpose fails (A15, noted in _case_notes).
    Rule(
        "R09",
        f"{CPL}第二十四条",
        lambda c: c.quality_cpl and c.quality_return_open,
        (Grant(Remedy.RETURN, _price, M),),
        (),
        "质量问题，收货7日内：退货",
    ),
    Rule(
        "R09+R22",
        f"{CPL}第二十四条；产品质量法第四十条；民法典第五百八十二条、第六百二十一条",
        lambda c: c.quality_cpl and c.within_notice_limit,
        (Grant(Remedy.EXCHANGE, None, M), Grant(Remedy.REPAIR, None, M)),
        (),
        "质量问题，收货2年内通知：换货或修理；收货7日后不能实现合同目的时才可退货",
    ),
    # Fraud and unsafe food also give the price back (part of the losses).
    Rule(
        "R21",
        "食品安全法第一百四十八条第一款",
        lambda c: c.food_punitive,
        (Grant(Remedy.RETURN, _price, M),),
        (),
        "不符合食品安全标准的食品：退还价款",
    ),
    Rule(
        "R19",
        f"{CPL}第五十五条第一款",
        lambda c: c.fraud_applies,
        (Grant(Remedy.RETURN, _price, M),),
        (),
        "欺诈：退还价款（通常以退货为条件）",
    ),
    # §3 step 4 (and within 7 days alongside a defect): the no-reason return.
    Rule(
        "R01",
        f"{CPL}第二十五条；{SAIC90}第二条、第六条、第十条、第十三条",
        lambda c: c.no_reason_open and c.facts.channel not in BROADCAST_SALES,
        (
            Grant(
                Remedy.RETURN_NO_REASON, _price, Payer.CONSUMER, REFUND_DAYS, Anchor.RETURN_RECEIVED
            ),
        ),
        ("refund_deadline_layers", "outbound_shipping"),
        "远程购物收货7日内无理由退货，消费者承担退回运费，经营者收货后7日内退款",
    ),
    Rule(
        "R01/TV",
        f"{CPL}第二十五条；{SAIC90}第六条、第十条、第十三条、第三十六条",
        lambda c: c.no_reason_open and c.facts.channel in BROADCAST_SALES,
        (
            Grant(
                Remedy.RETURN_NO_REASON, _price, Payer.CONSUMER, REFUND_DAYS, Anchor.RETURN_RECEIVED
            ),
        ),
        ("refund_deadline_layers", "outbound_shipping"),
        "电视、电话、邮购收货7日内无理由退货",
    ),
    # §3 step 5: the punitive layer. Food and fraud are alternatives (see _not_stacked).
    Rule(
        "R21",
        "食品安全法第一百四十八条第二款；最高人民法院关于审理食品药品惩罚性赔偿纠纷案件"
        "适用法律若干问题的解释第一条",
        lambda c: c.food_punitive,
        (Grant(Remedy.FOOD_PUNITIVE_DAMAGES, _food_damages),),
        ("punitive_price_base", "older_rules_status", "household_quantity"),
        "食品惩罚性赔偿：价款十倍或损失三倍，不足1000元按1000元",
    ),
    Rule(
        "R19",
        f"{CPL}第五十五条第一款；消费者权益保护法实施条例第四十九条",
        lambda c: c.fraud_applies,
        (Grant(Remedy.PUNITIVE_DAMAGES, _fraud_damages),),
        ("punitive_price_base", "fraud_standard"),
        "欺诈：增加赔偿价款的三倍，不足500元按500元",
    ),
    Rule(
        "R20",
        f"{CPL}第五十五条第二款；民法典第一千二百零七条",
        lambda c: c.facts.known_defect_serious_harm,
        (Grant(Remedy.HARM_PUNITIVE_DAMAGES, _harm_damages),),
        (),
        "明知缺陷造成死亡或健康严重损害：惩罚性赔偿最高为损失的二倍",
    ),
    # Compensatory losses, each on its own basis; merged into one entitlement.
    Rule(
        "R22",
        "产品质量法第四十条；民法典第五百八十三条、第五百八十四条",
        lambda c: c.has_loss_basis and c.facts.defect != Defect.NONE,
        (Grant(Remedy.LOSS_COMPENSATION, _loss),),
        (),
        "质量问题造成的损失",
    ),
    Rule(
        "R19",
        f"{CPL}第五十五条第一款",
        lambda c: c.has_loss_basis and c.fraud_applies,
        (Grant(Remedy.LOSS_COMPENSATION, _loss),),
        (),
        "欺诈造成的损失",
    ),
    Rule(
        "R21",
        "食品安全法第一百四十八条第一款",
        lambda c: c.has_loss_basis and c.facts.food and c.facts.food_safety_violation,
        (Grant(Remedy.LOSS_COMPENSATION, _loss),),
        (),
        "不安全食品造成的损失",
    ),
    Rule(
        "R20",
        f"{CPL}第四十九条、第五十一条",
        lambda c: c.has_loss_basis and c.facts.known_defect_serious_harm,
        (Grant(Remedy.LOSS_COMPENSATION, _loss),),
        (),
        "人身损害的全部损失",
    ),
)


def _merge(a: Entitlement, b: Entitlement) -> Entitlement:
    """One entitlement per remedy: the bases of every rule that grants it."""
    parts = a.basis.split("；")
    parts += [p for p in b.basis.split("；") if p not in parts]
    return replace(
        a,
        basis="；".join(parts),
        amount=a.amount if a.amount is not None else b.amount,
        shipping_paid_by=a.shipping_paid_by or b.shipping_paid_by,
        merchant_deadline_days=(
            a.merchant_deadline_days
            if a.merchant_deadline_days is not None
            else b.merchant_deadline_days
        ),
        deadline_anchor=a.deadline_anchor or b.deadline_anchor,
        rules=a.rules + tuple(r for r in b.rules if r not in a.rules),
    )


def _not_stacked(found: dict[Remedy, Entitlement]) -> None:
    """FSL 148 and CPL 55 are alternatives (SPC 2020 Art. 7; SPC 2024 Art. 9): keep the
    higher; on a tie the food rule, the special law."""
    food = found.get(Remedy.FOOD_PUNITIVE_DAMAGES)
    fraud = found.get(Remedy.PUNITIVE_DAMAGES)
    if food is None or fraud is None:
        return
    assert food.amount is not None and fraud.amount is not None
    if fraud.amount > food.amount:
        del found[Remedy.FOOD_PUNITIVE_DAMAGES]
    else:
        del found[Remedy.PUNITIVE_DAMAGES]


def _case_notes(case: Case) -> list[str]:
    f = case.facts
    codes = []
    if case.holiday_decides:
        codes.append("holiday_extension")
    if (
        case.distance_sale
        and case.day <= NO_REASON_DAYS
        and (case.excluded_by_law or f.excluded_confirmed)
    ):
        codes.append("exclusion_article")
    if case.quality_cpl and not case.quality_return_open and case.within_notice_limit:
        codes.append("contract_purpose")
    if f.three_guarantees and f.defect == Defect.QUALITY and not f.car:
        codes.append("performance_fault_or_quality")
    past_sanbao = case.sanbao and not case.sanbao_exchange_open and not case.in_validity
    if past_sanbao or (case.car and not case.in_car_warranty):
        codes.append("after_sanbao_validity")
    harmed = f.known_defect_serious_harm or (f.loss > 0 and f.defect != Defect.NONE)
    if harmed and add_years(f.received_on, 2) < f.claim_on <= add_years(f.received_on, 3):
        codes.append("defect_limitation")
    return codes


def evaluate(facts: Facts, *, holiday_extension: bool = False) -> Result:
    """Every entitlement the facts give, one per remedy, in `Remedy` order.

    `holiday_extension` applies 民法典 Art. 203 to the 7-day no-reason window (legal.md
    D5, A7): off by default, the strict reading.
    """
    case = Case(facts, holiday_extension=holiday_extension)
    found: dict[Remedy, Entitlement] = {}
    note_codes: list[str] = []
    for rule in RULES:
        if not rule.when(case):
            continue
        note_codes += rule.notes
        for g in rule.grants:
            ent = Entitlement(
                remedy=g.remedy,
                basis=rule.basis,
                amount=None if g.amount is None else money(g.amount(facts)),
                shipping_paid_by=g.shipping,
                merchant_deadline_days=g.deadline_days,
                rules=(rule.id,),
                deadline_anchor=g.anchor,
            )
            found[g.remedy] = _merge(found[g.remedy], ent) if g.remedy in found else ent
    _not_stacked(found)
    note_codes += _case_notes(case)
    order = list(NOTES)
    notes = tuple(NOTES[c] for c in sorted(set(note_codes), key=order.index))
    entitlements = tuple(found[r] for r in Remedy if r in found)
    return Result(facts, entitlements, notes, windows(case))
