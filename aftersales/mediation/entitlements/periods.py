"""The periods around the entitlements: the consumer's own windows on the facts of a case,
and the day after which not performing counts as deliberate delay."""

from __future__ import annotations

from datetime import timedelta

from .case import (
    QUALITY_RETURN_DAYS,
    SANBAO_EXCHANGE_DAYS,
    SANBAO_RETURN_DAYS,
    Case,
)
from .facts import Entitlement, Facts, Remedy, Window
from .laws import CAR, CPL, SAIC90, SANBAO

DELAY_DAYS = 15  # more than 15 days after the demand: deliberate delay (administrative)
QUALITY_RULES = frozenset({"R09", "R09+R22", "R11", "R12", "R13", "R14", "R15", "R18b", "R18g"})


def overdue_after(entitlement: Entitlement, facts: Facts) -> Window | None:
    """The last day before not performing counts as deliberate delay (故意拖延), from the
    claim: SAIC 90 Art. 31 for the no-reason return, 处罚办法 Art. 8(2) for quality
    remedies. An administrative threshold, not a civil deadline (legal.md A2, §5)."""
    last = facts.claim_on + timedelta(days=DELAY_DAYS)
    if entitlement.remedy == Remedy.RETURN_NO_REASON:
        return Window("no_reason_processing", "处理退货申请", last, f"{SAIC90}第三十一条")
    if QUALITY_RULES & set(entitlement.rules):
        return Window(
            "quality_remedy", "履行退货、更换、修理义务", last, "侵害消费者权益行为处罚办法第八条"
        )
    return None


def windows(case: Case) -> tuple[Window, ...]:
    """The consumer's own periods on these facts, for display beside the entitlements."""
    f = case.facts
    out = []
    if case.distance_sale:
        out.append(
            Window(
                "no_reason_return",
                "七日无理由退货期限",
                case.no_reason_last_day,
                f"{CPL}第二十五条；{SAIC90}第十条",
            )
        )
    if case.quality_cpl:
        out.append(
            Window(
                "quality_return",
                "质量问题退货期限（收货7日）",
                case.last_day(f.received_on, QUALITY_RETURN_DAYS),
                f"{CPL}第二十四条",
            )
        )
    if f.car:
        out += [
            Window("car_validity", "家用汽车三包有效期（至少2年或5万公里，先到为准）",
                   case.car_validity_last_day, f"{CAR}第十八条"),
            Window("car_warranty", "家用汽车包修期（至少3年或6万公里，先到为准）",
                   case.car_warranty_last_day, f"{CAR}第十八条"),
        ]  # fmt: skip
    elif f.three_guarantees:
        sale = f.sale_date
        out += [
            Window("sanbao_return", "三包退货期限（售出7日）",
                   case.last_day(sale, SANBAO_RETURN_DAYS), f"{SANBAO}第九条"),
            Window("sanbao_exchange", "三包换货期限（售出15日）",
                   case.last_day(sale, SANBAO_EXCHANGE_DAYS), f"{SANBAO}第十条"),
        ]  # fmt: skip
        if f.warranty_days:
            out.append(
                Window(
                    "sanbao_validity",
                    "三包有效期（不含修理和待件时间）",
                    sale + timedelta(days=case.sanbao_validity_days),
                    f"{SANBAO}第八条",
                )
            )
    return tuple(out)
