"""How the rules count days and what they read from the facts (legal.md §0, §2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from .facts import DISTANCE_SALES, Defect, Facts, GoodsKind

# -- dates --------------------------------------------------------------------------------


def day_index(event: date, start: date) -> int:
    """legal.md §0: the day of `start` is day 0, the next day is day 1 (D1–D2)."""
    return (event - start).days


def add_years(day: date, years: int) -> date:
    """民法典 Art. 202: the same date `years` later; with no such date, the month's end."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _is_rest_day(day: date) -> bool:
    from aftersales.sla.calendar import UnknownYear, default_calendar

    try:
        return not default_calendar().is_working_day(day)
    except UnknownYear:
        return day.weekday() >= 5


def _next_working_day(day: date) -> date:
    day += timedelta(days=1)
    while _is_rest_day(day):
        day += timedelta(days=1)
    return day


NO_REASON_DAYS = 7
QUALITY_RETURN_DAYS = 7
SANBAO_RETURN_DAYS = 7
SANBAO_EXCHANGE_DAYS = 15
SANBAO_FAILED_REPAIRS = 2
SANBAO_PARTS_WAIT_DAYS = 90  # more than 90 days
SANBAO_REPAIR_DAYS = 30  # more than 30 days
NOTICE_YEARS = 2  # 民法典 Art. 621(2)
REFUND_DAYS = 7


# -- the case: facts plus what the rules read from them ------------------------------------


@dataclass(frozen=True)
class Case:
    facts: Facts
    holiday_extension: bool = False

    @property
    def day(self) -> int:
        """Day of the claim counted from signing (receipt)."""
        return day_index(self.facts.claim_on, self.facts.received_on)

    @property
    def sale_day(self) -> int:
        """Day of the claim counted from the sale (the 三包 windows)."""
        return day_index(self.facts.claim_on, self.facts.sale_date)

    @property
    def distance_sale(self) -> bool:
        return self.facts.channel in DISTANCE_SALES

    @property
    def excluded_by_law(self) -> bool:
        """R02: the fixed statutory list (CPL 25(1); SAIC 90 Art. 6)."""
        kind = self.facts.goods_kind
        return kind in (GoodsKind.CUSTOM_MADE, GoodsKind.PERISHABLE, GoodsKind.PERIODICAL) or (
            kind == GoodsKind.DIGITAL and self.facts.digital_unsealed
        )

    @property
    def no_reason_last_day(self) -> date:
        last = self.facts.received_on + timedelta(days=NO_REASON_DAYS)
        if self.holiday_extension and _is_rest_day(last):
            return _next_working_day(last)
        return last

    @property
    def no_reason_eligible(self) -> bool:
        """R01 except for the window: distance sale, not excluded (R02, R03), intact (R04)."""
        f = self.facts
        return (
            self.distance_sale
            and not self.excluded_by_law
            and not f.excluded_confirmed
            and f.intact
        )

    @property
    def no_reason_open(self) -> bool:
        return self.no_reason_eligible and self.facts.claim_on <= self.no_reason_last_day

    @property
    def holiday_decides(self) -> bool:
        """A7 touches the case: the strict window has closed, the extended one has not."""
        strict = self.facts.received_on + timedelta(days=NO_REASON_DAYS)
        return (
            self.no_reason_eligible
            and self.facts.claim_on > strict
            and _is_rest_day(strict)
            and self.facts.claim_on <= _next_working_day(strict)
        )

    @property
    def sanbao(self) -> bool:
        """The 三包 route: a 三包 product with a performance fault (R11–R16)."""
        return self.facts.three_guarantees and self.facts.defect == Defect.PERFORMANCE_FAULT

    @property
    def sanbao_validity_days(self) -> int:
        """Days from the sale the 三包 validity lasts: time in repair and waiting for parts
        is not counted (legal.md D8, R13)."""
        f = self.facts
        return f.warranty_days + f.parts_wait_days + f.repair_delay_days

    @property
    def in_validity(self) -> bool:
        return self.sale_day <= self.sanbao_validity_days

    @property
    def sanbao_exchange_due(self) -> bool:
        """R14 / R15: repaired twice and still failing, parts wait, repairer's delay."""
        f = self.facts
        return self.in_validity and (
            f.failed_repairs >= SANBAO_FAILED_REPAIRS
            or f.parts_wait_days > SANBAO_PARTS_WAIT_DAYS
            or f.repair_delay_days > SANBAO_REPAIR_DAYS
        )

    @property
    def quality_cpl(self) -> bool:
        """The CPL 24 route: any defect that the 三包 route does not take."""
        return self.facts.defect != Defect.NONE and not self.sanbao

    @property
    def within_notice_limit(self) -> bool:
        """民法典 Art. 621(2): a quality defect must be notified within 2 years of receipt."""
        return self.facts.claim_on <= add_years(self.facts.received_on, NOTICE_YEARS)

    @property
    def food_punitive(self) -> bool:
        f = self.facts
        return f.food and f.food_safety_violation and not f.label_defect_only

    @property
    def fraud_applies(self) -> bool:
        # 实施条例 Art. 49: harmless, non-misleading label or manual flaws are not fraud.
        return self.facts.fraud and not self.facts.label_defect_only

    @property
    def has_loss_basis(self) -> bool:
        f = self.facts
        return f.loss > 0 and (
            f.defect != Defect.NONE
            or self.fraud_applies
            or (f.food and f.food_safety_violation)
            or f.known_defect_serious_harm
        )
