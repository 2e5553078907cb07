"""Statutory entitlements (法定权益): what the law gives a consumer on the facts of one case.

Pure: no ORM. Facts in (a frozen dataclass, parsed from one JSON object with precise
messages), entitlements out, each citing the rule of `legal.md` §2 and the law and article
behind it. The rules are a table (`rules.RULES`) evaluated in `legal.md` §3's order; notes
name the ambiguities of `legal.md` §8 that the case touches. The `aftersales entitlements`
command and `mediation.selectors.dispute_entitlements` are thin shells around `evaluate`.
See docs/entitlements.md.

    facts.py    the vocabulary: enums, Facts, Entitlement, Note, Window, Result
    notes.py    the §8 notes
    case.py     day counting and what the rules read from the facts
    laws.py     the short names of the laws cited
    rules.py    the rules table and `evaluate`
    periods.py  the customer's windows, delay thresholds
    parsing.py  one JSON object or line into Facts, with messages naming the field
"""

from .case import Case, add_years, day_index
from .facts import (
    SHANGHAI,
    Anchor,
    Channel,
    Defect,
    Entitlement,
    Facts,
    GoodsKind,
    Note,
    Payer,
    Remedy,
    Result,
    Window,
)
from .notes import NOTES
from .parsing import FIELDS, REQUIRED, FactsError, evaluate_line, parse_facts, parse_field, parse_id
from .periods import overdue_after, windows
from .rules import RULES, Grant, Rule, evaluate

__all__ = [
    "FIELDS",
    "NOTES",
    "REQUIRED",
    "RULES",
    "SHANGHAI",
    "Anchor",
    "Case",
    "Channel",
    "Defect",
    "Entitlement",
    "Facts",
    "FactsError",
    "GoodsKind",
    "Grant",
    "Note",
    "Payer",
    "Remedy",
    "Result",
    "Rule",
    "Window",
    "add_years",
    "day_index",
    "evaluate",
    "evaluate_line",
    "overdue_after",
    "parse_facts",
    "parse_field",
    "parse_id",
    "windows",
]
