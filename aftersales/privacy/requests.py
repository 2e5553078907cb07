"""The customer's own privacy requests (PIPL §45, §47; issue 14 item 5): a copy of
everything held about them (`customer_export`, the export of `aftersales privacy
export`), and a request to erase it (`erasure_request`), which waits in the admins' queue
(the admin site) until an admin decides it (`erasure_decide`): approved, the erasure of
`aftersales privacy erase` runs for that customer as far as the law allows — disputes
still open or inside the retention period are kept, and the request's report says so;
refused, with a note saying why."""

from __future__ import annotations

import datetime as dt
import json
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import Conflict, Forbidden, ValidationFailed
from aftersales.common.text import clean_text
from aftersales.disputes.permissions import can_use_admin_site
from aftersales.parties.actors import user_of
from aftersales.parties.models import Customer

from .erase import personal_data_erase
from .export import json_default, personal_data_export
from .holdings import Subject
from .models import ErasureRequest

REASON_MAX = 1000
NOTE_MAX = 1000
State = ErasureRequest.State


class PersonalDataFile(NamedTuple):
    """A download for the customer: the bytes, the file name, the content type."""

    content: bytes
    filename: str
    content_type: str


def _subject(customer: Customer) -> Subject:
    return Subject(phone=customer.phone, customer=customer)


def customer_export(customer: Customer, *, at: dt.datetime | None = None) -> PersonalDataFile:
    """Everything held about `customer` as a JSON file (recorded on each of their
    disputes, as every export is)."""
    now = at or timezone.now()
    data = personal_data_export(subject=_subject(customer), now=now)
    content = json.dumps(data, ensure_ascii=False, indent=2, default=json_default).encode()
    day = timezone.localtime(now).strftime("%Y%m%d")
    return PersonalDataFile(content, f"personal-data-{day}.json", "application/json")


def erasure_request(
    *, customer: Customer, reason: str, ip: str | None, at: dt.datetime | None = None
) -> ErasureRequest:
    """The customer asks to erase their personal data. One request waits per customer: a
    second while one is pending returns that one unchanged."""
    now = at or timezone.now()
    text = clean_text(reason if isinstance(reason, str) else "")
    if len(text) > REASON_MAX:
        raise ValidationFailed(
            _("删除申请有误"),
            fields={"reason": _("不能超过 %(max)d 个字符") % {"max": REASON_MAX}},
        )
    pending = ErasureRequest.objects.filter(customer=customer, state=State.PENDING).first()
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            return ErasureRequest.objects.create(
                customer=customer, requested_at=now, reason=text, ip=ip or None
            )
    except IntegrityError:  # asked twice at once: the other request is the one
        return ErasureRequest.objects.get(customer=customer, state=State.PENDING)


def erasure_latest(customer: Customer) -> ErasureRequest | None:
    """The customer's latest request, for the portal to show where it stands."""
    return ErasureRequest.objects.filter(customer=customer).order_by("-requested_at", "-id").first()


def erasure_queue():
    """The pending requests, oldest first: the admins' queue."""
    return (
        ErasureRequest.objects.filter(state=State.PENDING)
        .select_related("customer")
        .order_by("requested_at", "id")
    )


@transaction.atomic
def erasure_decide(
    *,
    request: ErasureRequest,
    actor,
    approve: bool,
    note: str = "",
    at: dt.datetime | None = None,
) -> ErasureRequest:
    """An admin decides a pending request. Approved: the customer's personal data is
    erased where the law no longer requires it kept (privacy.erase); the report of what
    was erased and what kept, and why, is stored on the request. Refused: `note` is
    required, saying why. Anyone but an admin: Forbidden; a decided request: Conflict."""
    if not can_use_admin_site(actor):
        raise Forbidden(_("只有系统管理员可以处理个人信息删除申请"))
    now = at or timezone.now()
    text = clean_text(note if isinstance(note, str) else "")
    if len(text) > NOTE_MAX:
        raise ValidationFailed(
            _("处理说明有误"), fields={"note": _("不能超过 %(max)d 个字符") % {"max": NOTE_MAX}}
        )
    if not approve and not text:
        raise ValidationFailed(
            _("拒绝删除申请必须说明理由"), fields={"note": _("拒绝时必须填写理由")}
        )
    locked = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if locked.state != State.PENDING:
        raise Conflict(
            _("该删除申请已处理（%(state)s）") % {"state": locked.get_state_display()},
            code="erasure_decided",
        )
    report: dict = {}
    if approve:
        customer = Customer.objects.get(pk=locked.customer_id)
        why = _("顾客删除申请 #%(id)s") % {"id": locked.pk}
        if text:
            why = f"{why}：{text}"
        report = personal_data_erase(subject=_subject(customer), reason=why, now=now).as_dict()
        report.pop("phone", None)  # the request keeps no copy of what was erased
    ErasureRequest.objects.filter(pk=locked.pk).update(
        state=State.DONE if approve else State.REFUSED,
        decided_by=user_of(actor),
        decided_at=now,
        decision_note=text,
        report=report,
    )
    locked.refresh_from_db()
    return locked
