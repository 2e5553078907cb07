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
CAR_VALIDITY_YEARS = 2  # car rule Art. 18: 三包有效期 at least 2 years (or 50,000 km)
CAR_WARRANTY_YEARS = 3  # car rule Art. 18: 包修期 at least 3 years (or 60,000 km)
CAR_FAILED_REPAIRS = 2  # car rule Art. 24(1)-(3)
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

    def last_day(self, start: date, days: int) -> date:
        """The last day of a "within `days` days" window from `start` (day 0): day `days`
        (D2–D3), moved past rest days when `holiday_extension` applies 民法典 Art. 203 (D5,
        A7)."""
        last = start + timedelta(days=days)
        if self.holiday_extension and _is_rest_day(last):
            return _next_working_day(last)
        return last

    def _extension_decides(self, start: date, days: int) -> bool:
        """A7 touches the window: the claim is after its strict last day, which is a rest
        day, and no later than the first working day after it."""
        strict = start + timedelta(days=days)
        claim = self.facts.claim_on
        return strict < claim and _is_rest_day(strict) and claim <= _next_working_day(strict)

    @property
    def no_reason_last_day(self) -> date:
        return self.last_day(self.facts.received_on, NO_REASON_DAYS)

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
    def quality_return_open(self) -> bool:
        """CPL 24: the 7 days from receipt in which a defective item can go back."""
        return self.facts.claim_on <= self.last_day(self.facts.received_on, QUALITY_RETURN_DAYS)

    @property
    def sanbao_return_open(self) -> bool:
        """三包 Art. 9: 7 days from the sale."""
        return self.facts.claim_on <= self.last_day(self.facts.sale_date, SANBAO_RETURN_DAYS)

    @property
    def sanbao_exchange_open(self) -> bool:
        """三包 Art. 10: 15 days from the sale."""
        return self.facts.claim_on <= self.last_day(self.facts.sale_date, SANBAO_EXCHANGE_DAYS)

    @property
    def holiday_decides(self) -> bool:
        """A7 touches the case: a 7- or 15-day window the case relies on has closed on the
        strict reading but is still open if 民法典 Art. 203 applies to it."""
        f = self.facts
        return (
            (self.no_reason_eligible and self._extension_decides(f.received_on, NO_REASON_DAYS))
            or (self.quality_cpl and self._extension_decides(f.received_on, QUALITY_RETURN_DAYS))
            or (
                self.sanbao
                and (
                    self._extension_decides(f.sale_date, SANBAO_RETURN_DAYS)
                    or self._extension_decides(f.sale_date, SANBAO_EXCHANGE_DAYS)
                )
            )
        )

    @property
    def sanbao(self) -> bool:
        """The 三包 route: a 三包 product with a performance fault (R11–R16); a car takes
        the car rule instead."""
        f = self.facts
        return f.three_guarantees and f.defect == Defect.PERFORMANCE_FAULT and not f.car

    @property
    def car(self) -> bool:
        """The car route (R18): a household car with a quality problem of any kind."""
        return self.facts.car and self.facts.defect != Defect.NONE

    @property
    def car_validity_last_day(self) -> date:
        """Art. 18: at least 2 years from the invoice or delivery (sold_on), longer when the
        maker's voucher says so (`warranty_days`, plus time in repair and waiting for parts,
        D8). Mileage is not a fact of the contract: the car note asks people to check it."""
        sale = self.facts.sale_date
        return max(
            add_years(sale, CAR_VALIDITY_YEARS),
            sale + timedelta(days=self.sanbao_validity_days),
        )

    @property
    def in_car_validity(self) -> bool:
        return self.facts.claim_on <= self.car_validity_last_day

    @property
    def car_warranty_last_day(self) -> date:
        """Art. 18: the 包修期, at least 3 years, and never shorter than the validity."""
        return max(add_years(self.facts.sale_date, CAR_WARRANTY_YEARS), self.car_validity_last_day)

    @property
    def in_car_warranty(self) -> bool:
        return self.facts.claim_on <= self.car_warranty_last_day

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
        """The CPL 24 route: any defect that the 三包 or the car route does not take."""
        return self.facts.defect != Defect.NONE and not self.sanbao and not self.car

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
