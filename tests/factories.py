"""Factories for the test suite: real rows through the real models."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Customer, Order, OrderLine, Product, Store, Team
from aftersales.parties.roles import Role
from aftersales.parties.services import staff_create


class StoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Store
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"store{n}")
    name = factory.Sequence(lambda n: f"旗舰店{n}")
    platform = Store.Platform.TMALL


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    name = factory.Sequence(lambda n: f"顾客{n}")
    # A range no test writes by hand, so sequences never meet a literal phone.
    phone = factory.Sequence(lambda n: f"188{n:08d}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"SKU-{n:06d}")
    name = factory.Sequence(lambda n: f"电热水器 {n} 型")
    warranty_days = 365
    three_guarantees = True
    list_price = Decimal("1999.00")


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True  # the hook adds a line; the order itself is unchanged

    order_no = factory.Sequence(lambda n: f"T{20260000000 + n}")
    store = factory.SubFactory(StoreFactory)
    customer = factory.SubFactory(CustomerFactory)
    amount_paid = Decimal("1999.00")
    payment_channel = Order.PaymentChannel.ALIPAY
    paid_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=10))
    shipped_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=9))
    received_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=7))

    @factory.post_generation
    def line(self, create, extracted, **kwargs):
        if create and extracted is not False:
            OrderLine.objects.create(
                order=self, product=ProductFactory(), quantity=1, unit_price=self.amount_paid
            )


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    code = factory.Sequence(lambda n: f"team{n}")
    name = factory.Sequence(lambda n: f"调解{n}组")


_users = iter(range(10**9))


def make_staff(role: Role, *, team: Team | None = None, username: str | None = None):
    name = username or f"{role.value}{next(_users)}"
    return staff_create(username=name, password="pass-Word-123", role=role, team=team)


def make_dispute(order=None, *, actor=SYSTEM, **overrides):
    """A dispute taken in through the real intake path (validate_intake + dispute_create)."""
    from aftersales.disputes.intake import validate_intake
    from aftersales.intake.services import dispute_create

    order = order or OrderFactory()
    data = {
        "channel": "api",
        "order_no": order.order_no,
        "customer": {"name": "张三", "phone": "13812341234"},
        "description": "热水器用了三天就漏水，要求退货退款。",
    }
    data.update(overrides)
    dispute, _ = dispute_create(request=validate_intake(data), actor=actor)
    return dispute


# Daily checks (aftersales.followup.daily_checks): disputes an agent holds, and the execution
# and commitment records the checks read, written through their real services.


def make_held_dispute(agent, *, received_at: dt.datetime, order=None, **overrides):
    """A dispute an agent recorded by phone and keeps (its assignee), taken in at
    `received_at`; its own order (or `order`), so no duplicate flags across tests."""
    data = {"channel": "phone", "received_at": received_at.isoformat()}
    data.update(overrides)
    return make_dispute(order or OrderFactory(), actor=agent, **data)


def make_execution(dispute, *, at: dt.datetime, kind: str = "refund", expected_by=None, **fields):
    """An after-sale order as the daily checks read it, on a dispute in any state (the
    checks look at rows, not at how they came)."""
    from aftersales.fulfilment import flows
    from aftersales.fulfilment.models import AfterSaleOrder
    from aftersales.fulfilment.rules import refund_arrival

    type_ = {"refund": "refund_shipped"}.get(kind, kind)
    amount = fields.pop("amount", Decimal("199.00"))
    channel = fields.pop("payment_channel", "bank_quickpay" if kind == "refund" else "")
    if expected_by is None:
        expected_by = refund_arrival(channel=channel or "bank_quickpay", paid_at=at).expected_by
    state = flows.first_state(type_)
    n = AfterSaleOrder.objects.filter(dispute=dispute).count() + 1
    return AfterSaleOrder.objects.create(
        number=f"{dispute.number}-{n:02d}",
        dispute=dispute,
        type=type_,
        state=state,
        department=flows.DEPARTMENT_OF_STATE[state] or "",
        amount=amount,
        payment_channel=channel,
        expected_by=expected_by,
        created_at=at,
        updated_at=at,
        **fields,
    )


def make_commitment(dispute, *, due_at: dt.datetime, at: dt.datetime, text: str = "明天下午回电"):
    from aftersales.mediation.services import commitment_make

    return commitment_make(dispute=dispute, actor=SYSTEM, text=text, due_at=due_at, at=at)


# The lifecycle through its doors (issue 10): tests that only need a dispute in some state
# walk it there with the real services, each action by the workflow that owns it.

WITHDRAWAL_REASON = "顾客已自行修好，撤回投诉"


def staff_note(at: dt.datetime | None = None, channel: str = "phone") -> dict:
    """A withdrawal confirmation as staff record it: how and when the customer said so."""
    when = timezone.localtime(at or timezone.now())
    return {
        "method": "staff_note",
        "channel": channel,
        "at": when.isoformat(),
        "note": "电话确认撤回",
    }


def step(
    dispute, action: str, *, at: dt.datetime | None = None, actor=SYSTEM, reason="", **payload
):
    """Apply one lifecycle action through its own door: propose and revise by sending a
    proposal, settle by the customer's acceptance, escalate by filing an escalation; the
    generic actions through `dispute_apply`, with a valid reason and record filled in
    where the guard needs one (withdraw, reject, reopen, close). Returns the dispute."""
    from aftersales.disputes.lifecycle import Action, Status
    from aftersales.disputes.models import Dispute
    from aftersales.disputes.services import dispute_apply

    action = Action(action)
    current = Dispute.objects.get(pk=dispute.pk)
    if action in (Action.PROPOSE, Action.REVISE):
        _send_proposal(current, actor=actor, at=at, reason=reason)
    elif action == Action.SETTLE:
        _customer_accepts(current, at=at)
    elif action == Action.ESCALATE:
        from aftersales.mediation.escalation import escalation_file

        escalation_file(
            dispute=current,
            actor=actor,
            version=current.version,
            route=payload.get("route", "platform"),
            reason=reason or "顾客申请平台介入",
            filed_on=timezone.localdate(at) if at else timezone.localdate(),
            reference=payload.get("reference", ""),
            at=at,
        )
    elif action == Action.COMPLETE:
        # The after-sale orders carry the dispute on: the last one finishing completes it.
        carry_out(current, at=at)
    else:
        if action == Action.TRIAGE:
            # The handler calls the customer first (联系记录: stops 首次联系), then triages.
            from aftersales.disputes.contacts import contact_record

            contact_record(
                dispute=current,
                actor=actor,
                channel="phone",
                direction="outbound",
                summary="致电顾客，确认问题和诉求",
                at=at,
            )
            current = Dispute.objects.get(pk=dispute.pk)
        if action == Action.WITHDRAW:
            reason = reason or WITHDRAWAL_REASON
            payload.setdefault("confirmation", staff_note(at))
        elif action in (Action.REJECT, Action.REOPEN):
            reason = reason or "顾客来电说明情况"
        elif action == Action.CLOSE:
            if current.status == Status.ESCALATED:
                reason = reason or "外部处理结果已履行"
            elif not payload:
                payload = {"customer_confirmed": True}
        dispute_apply(
            dispute=current,
            action=action,
            actor=actor,
            version=current.version,
            reason=reason,
            payload=payload,
            at=at,
        )
    return Dispute.objects.get(pk=dispute.pk)


def walk_to(dispute, target: str, *, at: dt.datetime | None = None, actor=SYSTEM):
    """Take a dispute from its state to `target` along `lifecycle.path_to`, every step
    through `step` (so through the owning services). A dispute already on the way starts
    where it is."""
    from aftersales.disputes.lifecycle import TRANSITIONS, Status, path_to

    path = path_to(Status(target))
    states = [Status.RECEIVED]
    for action in path:
        states.append(TRANSITIONS[action].target_from(states[-1]))
    current = dispute.__class__.objects.get(pk=dispute.pk).status
    if current not in states:
        raise ValueError(f"{current} is not on the way to {target}")
    start = len(states) - 1 - states[::-1].index(current)
    for action in path[start:]:
        dispute = step(dispute, action, at=at, actor=actor)
    return dispute


def _remedies(dispute) -> list[dict] | None:
    """A full return and refund with the merchant paying shipping: at or above every
    statutory minimum, and restitution (no authority needed). None: the category's
    standard remedy, where the category does not take a return."""
    from aftersales.mediation import remedies

    full = [
        {
            "code": "return_refund",
            "amount": f"{dispute.amount_paid:.2f}",
            "shipping_paid_by": "merchant",
        }
    ]
    _items, problems = remedies.parse_items(full, dispute.category)
    return None if problems else full


def ready_proposal(dispute, *, actor=SYSTEM, at: dt.datetime | None = None, reason: str = ""):
    """The dispute's live proposal, ready to send: drafted if there is none (a full
    return and refund where the category takes one), revised if it was already answered,
    with every approval it needs given by a fresh approver of the role asked for."""
    from aftersales.mediation import proposal_approvals, proposal_drafts, proposals
    from aftersales.mediation.models import Proposal, ProposalState

    live = (
        Proposal.objects.filter(dispute=dispute)
        .exclude(state__in=[ProposalState.ACCEPTED, ProposalState.WITHDRAWN])
        .first()
    )
    if live is None:
        live = proposals.proposal_create(
            dispute=dispute, actor=actor, remedies_raw=_remedies(dispute), at=at
        )
    elif live.state not in proposal_drafts.SENDABLE | {ProposalState.PENDING_APPROVAL}:
        revision = proposal_drafts.current_revision(live)
        proposals.proposal_revise(
            proposal=live,
            actor=actor,
            remedies_raw=revision.remedies,
            reason=reason or "顾客还价，修改方案",
            at=at,
        )
    for _attempt in range(3):
        waiting = proposal_approvals.outstanding_requirements(
            proposal_drafts.current_revision(live)
        )
        if not waiting:
            break
        approver = make_staff(waiting[0].role, team=dispute.team)
        proposal_approvals.proposal_approve(proposal=live, approver=approver, reason="同意", at=at)
    return live


def _send_proposal(dispute, *, actor, at, reason: str) -> None:
    """Send a proposal (propose) or a new revision of the live one (revise)."""
    from aftersales.mediation import proposals

    live = ready_proposal(dispute, actor=actor, at=at, reason=reason)
    proposals.proposal_send(proposal=live, actor=actor, at=at)


def _customer_accepts(dispute, *, at) -> None:
    """The customer accepts the proposal sent to them, through the link in its message."""
    from aftersales.mediation import negotiation
    from aftersales.mediation.models import Proposal, ProposalState
    from tests.customer_link import last_link

    token, code = last_link(dispute)  # the worker delivers the message: link and code
    access = negotiation.customer_access_for(token, at=at)
    proposal = Proposal.objects.filter(dispute=dispute, state=ProposalState.SENT).latest("id")
    negotiation.proposal_accept(proposal=proposal, access=access, code=code, at=at)


def make_failed_repairs(dispute, count: int, *, fault: str = "漏水"):
    """`count` failed repairs (维修单 not fixed) of the dispute's order, as the
    entitlements read them."""
    from aftersales.fulfilment.models import RepairRecord

    order = make_execution(dispute, at=timezone.now(), kind="repair", amount=None)
    today = timezone.localdate()
    return [
        RepairRecord.objects.create(
            aftersale_order=order,
            order_id=dispute.order_id,
            fault=fault,
            fault_code=fault,
            technician="售后维修点",
            result=RepairRecord.Result.NOT_FIXED,
            started_on=today,
            finished_on=today,
            failed=True,
            recorded_at=timezone.now(),
        )
        for _ in range(count)
    ]


# Carrying out an agreement (issue 12): every open after-sale order of a dispute walked to
# its end through the real services, the system acting for every department.

RETURN_ADDRESS = "浙江省杭州市余杭区文一西路 1 号 售后仓"


def _service_step(order, action, now) -> bool:
    """The move through the service that records it; False for a move no service of its
    own records (finance approval, starting a repair: `apply_move` itself)."""
    from aftersales.fulfilment import goods, parcels, payouts
    from aftersales.fulfilment.flows import Action
    from aftersales.fulfilment.models import Parcel

    if action == Action.RECORD_PAYOUT:
        payouts.payout_record(
            order=order,
            reference=f"PAY-{order.number}-{order.version}",
            idempotency_key=f"walk-{order.number}-{order.version}",
            actor=SYSTEM,
            at=now,
        )
    elif action == Action.COLLECT_PAYMENT:
        payouts.customer_payment_record(
            order=order,
            amount=order.customer_pays,
            reference=f"COL-{order.number}",
            idempotency_key=f"walk-collect-{order.number}",
            actor=SYSTEM,
            at=now,
        )
    elif action == Action.SEND_RETURN_ADDRESS:
        goods.return_address_send(order=order, actor=SYSTEM, address=RETURN_ADDRESS, at=now)
    elif action == Action.RETURN_SHIP:
        goods.return_ship(
            order=order, carrier="顺丰速运", tracking_no=f"SFR{order.pk:08d}", actor=SYSTEM, at=now
        )
    elif action == Action.RECEIVE:
        goods.return_receive(order=order, actor=SYSTEM, at=now)
    elif action == Action.INSPECT:
        goods.return_inspect(
            order=order,
            passed=True,
            report="外观完好，功能正常，良品入库",
            good_quantity=order.quantity or 1,
            defective_quantity=0,
            actor=SYSTEM,
            at=now,
        )
    elif action == Action.SHIP:
        returning = order.parcels.filter(direction=Parcel.Direction.FROM_CUSTOMER).first()
        if returning is not None and not (returning.moved or returning.delivered_at):
            parcels.parcel_track(parcel=returning, at=now, actor=SYSTEM, description="运输中")
        goods.shipment_send(
            order=order, carrier="中通快递", tracking_no=f"ZTO{order.pk:08d}", actor=SYSTEM, at=now
        )
    elif action == Action.CONFIRM_DELIVERY:
        goods.delivery_confirm(order=order, actor=SYSTEM, at=now)
    elif action == Action.ISSUE:
        goods.coupon_issue(order=order, reference=f"CPN-{order.number}", actor=SYSTEM, at=now)
    elif action == Action.RECORD_REPAIR:
        from aftersales.fulfilment.repairs import repair_record

        today = timezone.localdate(now)
        repair_record(
            order=order,
            fault="漏水",
            technician="售后维修点",
            fixed=True,
            started_on=today,
            finished_on=today,
            actor=SYSTEM,
            at=now,
        )
    else:
        return False
    return True


def _carry_one_step(order, now) -> bool:
    """Take the order's first forward move (never a cancel, bounce or out-of-stock).
    False when it is finished."""
    from django.db import transaction

    from aftersales.fulfilment import flows, steps

    order.refresh_from_db()
    if order.state in flows.FINAL:
        return False
    forward = [
        a
        for a in flows.allowed(order.type, order.variant, order.compensation_form, order.state)
        if a not in flows.REASON_ACTIONS
    ]
    if not forward:
        return False
    action = forward[0]
    if _service_step(order, action, now):
        return True
    with transaction.atomic():
        locked = steps.lock_order(order.pk)
        steps.apply_move(
            locked,
            action,
            actor=SYSTEM,
            at=now,
            outcome=True,
            facts={"return_moving": True},
        )
    return True


def carry_to(order, state: str, *, at: dt.datetime | None = None):
    """Take one after-sale order forward, as `carry_out` does, until it is in `state`
    (its moves at `at`). Returns the order."""
    for _move in range(30):
        order.refresh_from_db()
        if order.state == state:
            return order
        if not _carry_one_step(order, at or timezone.now()):
            break
    raise AssertionError(f"after-sale order {order.number} never reached {state}")


def carry_out(dispute, *, at: dt.datetime | None = None):
    """Carry out every open after-sale order of the dispute, each through its forward
    moves with the real services (the system acting for finance, logistics, QC and the
    customer). The last order finishing completes the dispute (fulfilment's own
    `complete`); a dispute with no open order completes by the generic action. Returns
    the dispute."""
    from aftersales.disputes.models import Dispute
    from aftersales.disputes.services import dispute_apply
    from aftersales.fulfilment import flows
    from aftersales.fulfilment.models import AfterSaleOrder

    now = at or timezone.now()
    orders = list(
        AfterSaleOrder.objects.filter(
            dispute_id=dispute.pk, state__in=[s.value for s in flows.OPEN]
        ).order_by("id")
    )
    current = Dispute.objects.get(pk=dispute.pk)
    if not orders:
        dispute_apply(
            dispute=current,
            action="complete",
            actor=SYSTEM,
            version=current.version,
            reason="",
            payload={},
            at=at,
        )
    for order in orders:
        for _move in range(30):
            if not _carry_one_step(order, now):
                break
        else:
            raise AssertionError(f"after-sale order {order.number} never finished")
    return Dispute.objects.get(pk=dispute.pk)
