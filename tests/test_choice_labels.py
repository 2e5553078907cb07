"""One label mechanism (issue 11 item 18): every word a choice is shown with is its
`TextChoices` label, and each has an English text in the catalogue — no hand-written
parallel label dicts in Chinese or English."""

import pytest
from django.db.models import TextChoices
from django.utils import translation

from aftersales.disputes.models import Channel, Evidence, Expectation, Task
from aftersales.followup.models import VisitChannel, VisitResult, VisitState
from aftersales.fulfilment import flows, platform
from aftersales.fulfilment.models import Parcel, Payout, RepairRecord
from aftersales.mediation import investigation_rules as rules
from aftersales.mediation import models as mediation
from aftersales.mediation.agreement import ConfirmationMethod
from aftersales.mediation.remedies import RemedyCode
from aftersales.notifications.models import Notification, OutboundMessage
from aftersales.parties.models import Order, Store
from aftersales.parties.roles import Department, Role
from aftersales.sla.models import CompanyDay, Timer
from aftersales.triage.models import GroupComplaint

CHOICES: list[type[TextChoices]] = [
    Role,
    Department,
    rules.Party,
    rules.RootCause,
    rules.ReportKind,
    rules.DefectSeverity,
    rules.TraceStatus,
    rules.Outcome,
    RemedyCode,
    ConfirmationMethod,
    Channel,
    Expectation,
    Evidence.Kind,
    Task.State,
    flows.AfterSaleType,
    flows.State,
    flows.Action,
    flows.Variant,
    flows.CompensationForm,
    platform.PlatformStatus,
    VisitState,
    VisitChannel,
    VisitResult,
    Payout.Direction,
    Payout.State,
    RepairRecord.Result,
    Parcel.Direction,
    mediation.Commitment.State,
    mediation.Escalation.State,
    mediation.ProposalState,
    mediation.ProposalApproval.Decision,
    GroupComplaint.State,
    Timer.State,
    CompanyDay.Kind,
    Store.Platform,
    Order.SaleChannel,
    Order.PaymentChannel,
    OutboundMessage.Channel,
    OutboundMessage.State,
    OutboundMessage.Failure,
    Notification.Kind,
]


@pytest.mark.parametrize("choices", CHOICES, ids=lambda c: c.__qualname__)
def test_every_label_is_chinese_first_with_an_english_text(choices):
    with translation.override("zh-hans"):
        chinese = {c.value: str(c.label) for c in choices}
    with translation.override("en"):
        english = {c.value: str(c.label) for c in choices}
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in chinese.values())
    untranslated = [code for code in chinese if english[code] == chinese[code]]
    assert untranslated == []


def test_the_parallel_label_dicts_are_gone():
    from aftersales.mediation import agreement, remedies
    from aftersales.notifications import tasks
    from aftersales.parties import roles

    leftovers = {
        "roles": {"ROLE_LABELS", "DEPARTMENT_LABELS"} & set(vars(roles)),
        "rules": {"PARTY_LABELS", "ROOT_CAUSE_LABELS", "OUTCOME_LABELS"} & set(vars(rules)),
        "remedies": {"REMEDY_LABELS"} & set(vars(remedies)),
        "agreement": {"METHOD_LABELS"} & set(vars(agreement)),
        "tasks": {"KINDS_EN"} & set(vars(tasks)),
    }
    assert leftovers == {k: set() for k in leftovers}
