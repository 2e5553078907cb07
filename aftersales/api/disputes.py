"""/api/v1/disputes: intake, queue, detail, lifecycle actions, evidence, assignment."""

import hashlib
import json
import math

from django.contrib.auth import get_user_model
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja import Status as Reply
from ninja.files import UploadedFile

from aftersales.common.counting import Count, capped_count
from aftersales.common.errors import ValidationFailed
from aftersales.disputes import selectors, services
from aftersales.disputes.evidence import evidence_add, evidence_get, evidence_read
from aftersales.disputes.intake import validate_intake
from aftersales.disputes.lifecycle import Status
from aftersales.disputes.models import Channel
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.intake import services as intake_services
from aftersales.parties.models import Team
from aftersales.triage.corrections import dispute_reclassify

from .parser import is_storable
from .schemas import (
    ActionIn,
    AssignIn,
    ContactOut,
    DisputeDetailOut,
    DisputeIn,
    DisputePage,
    ErrorOut,
    EvidenceUploadOut,
    ReclassifyIn,
)
from .throttling import CONTACT_REVEAL_THROTTLES

router = Router()
ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
# Requests with a body may also be unparseable (not JSON, broken multipart): 400.
BODY_ERRORS = {400: ErrorOut, **ERRORS}
IDEMPOTENCY_KEY_MAX = 100
PAGE_MAX = 100_000  # keeps the OFFSET inside what the databases accept


@router.post(
    "",
    response={201: DisputeDetailOut, 200: DisputeDetailOut, **BODY_ERRORS},
    summary="受理投诉 / Create a dispute",
)
def create_dispute(request: HttpRequest, payload: DisputeIn):
    key = request.headers.get("Idempotency-Key", "").strip()
    if not is_storable(key):
        raise ValidationFailed(
            _("提交的内容有误，请按提示修改"), fields={"Idempotency-Key": _("含有无法识别的字符")}
        )
    if len(key) > IDEMPOTENCY_KEY_MAX:
        raise ValidationFailed(
            _("Idempotency-Key 不能超过 %(max)d 个字符") % {"max": IDEMPOTENCY_KEY_MAX},
            fields={"Idempotency-Key": _("过长")},
        )
    raw = payload.dict()
    if raw.get("order") is None:
        # Absent, not null: the request hash of a retry stays what it was before intake
        # took inline orders.
        raw.pop("order", None)
    intake = validate_intake(raw)
    request_hash = hashlib.sha256(
        json.dumps(raw, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    dispute, created = intake_services.dispute_create(
        request=intake,
        actor=request.auth,
        intake_key=f"idem:{request.auth.pk}:{key}" if key else None,
        request_hash=request_hash,
    )
    if created:
        return Reply(201, dispute)
    # The creator gets the dispute back on a retry too, even if routing put it outside
    # their own queue.
    return Reply(200, selectors.dispute_for_creator(dispute))


class QueueFilters(Schema):
    status: str | None = None
    category: str | None = None
    severity: str | None = None
    channel: str | None = None
    assignee: str | None = None
    team: str | None = None
    breaching: bool = False
    at_risk: bool = False
    escalation_risk: bool = False
    needs_review: bool = False
    my_department: bool = False
    q: str | None = None
    page: int = 1
    page_size: int = 50


def _check_choice(fields: dict, name: str, value: str | None, choices: list[str]) -> None:
    if value and value not in choices:
        fields[name] = _("未知的取值“%(value)s”，可选：%(choices)s") % {
            "value": value,
            "choices": ", ".join(choices),
        }


@router.get("", response={200: DisputePage, **ERRORS}, summary="投诉列表 / Dispute queue")
def list_disputes(request: HttpRequest, filters: Query[QueueFilters]):
    fields: dict[str, str] = {}
    _check_choice(fields, "status", filters.status, [s.value for s in Status])
    _check_choice(fields, "category", filters.category, [c.value for c in Category])
    _check_choice(fields, "severity", filters.severity, [s.value for s in Severity])
    _check_choice(fields, "channel", filters.channel, Channel.values)
    if filters.page < 1:
        fields["page"] = _("页码从 1 开始")
    elif filters.page > PAGE_MAX:
        fields["page"] = _("页码不能超过 %(max)d") % {"max": PAGE_MAX}
    if not 1 <= filters.page_size <= 200:
        fields["page_size"] = _("每页条数应在 1 到 200 之间")
    if filters.q and len(filters.q) > 200:
        fields["q"] = _("搜索词不能超过 200 个字符")
    if (
        filters.assignee
        and filters.assignee not in ("me", "none")
        and not (
            is_storable(filters.assignee)
            and get_user_model().objects.filter(username=filters.assignee).exists()
        )
    ):
        fields["assignee"] = _("用户 %(name)s 不存在（可用 me、none 或用户名）") % {
            "name": filters.assignee
        }
    if fields:
        raise ValidationFailed(_("查询条件有误"), fields=fields)
    qs = selectors.dispute_queue(
        request.auth,
        status=filters.status,
        category=filters.category,
        severity=filters.severity,
        channel=filters.channel,
        assignee=filters.assignee,
        team=filters.team,
        breaching=filters.breaching,
        at_risk=filters.at_risk,
        escalation_risk=filters.escalation_risk,
        needs_review=filters.needs_review,
        my_department=filters.my_department,
        q=filters.q,
    )
    start = (filters.page - 1) * filters.page_size
    # Exact up to the rows this page needs (at least 1,000), then "more": a million rows
    # are never counted for one page (`count_exact` false, one page more than known).
    # The page first, with one row more: a last page (most filtered lists fit on one)
    # tells the count without a counting statement.
    cap = max(1000, start + filters.page_size)
    fetched = list(
        qs.select_related("order", "duplicate_of")[start : start + filters.page_size + 1]
    )
    items = fetched[: filters.page_size]
    if (fetched or start == 0) and len(fetched) <= filters.page_size:
        counted = Count(start + len(fetched), True)
    else:
        counted = capped_count(qs, cap=cap)
    pages = max(1, math.ceil(counted.value / filters.page_size))
    return {
        "items": items,
        "count": counted.value,
        "count_exact": counted.exact,
        "page": filters.page,
        "page_size": filters.page_size,
        "pages": pages if counted.exact else pages + 1,
    }


@router.get("/{number}", response={200: DisputeDetailOut, **ERRORS}, summary="投诉详情与时间线")
def get_dispute(request: HttpRequest, number: str):
    return selectors.dispute_get(number=number, user=request.auth)


@router.post(
    "/{number}/actions",
    response={200: DisputeDetailOut, **BODY_ERRORS},
    summary="执行生命周期操作 / Apply a lifecycle action",
)
def apply_action(request: HttpRequest, number: str, payload: ActionIn):
    dispute = selectors.dispute_get(number=number, user=request.auth)
    extra = {k: v for k, v in (payload.model_extra or {}).items()}
    # The generic door: an action a workflow owns (propose, revise, settle, escalate)
    # is refused here with a 409 naming that workflow's endpoint (disputes.lifecycle).
    services.dispute_apply(
        dispute=dispute,
        action=payload.action,
        actor=request.auth,
        version=payload.version,
        reason=payload.reason or "",
        payload=extra,
    )
    return selectors.dispute_get(number=number, user=request.auth)


@router.post(
    "/{number}/assignment",
    response={200: DisputeDetailOut, **BODY_ERRORS},
    summary="分派 / Assign to a team and agent",
)
def assign(request: HttpRequest, number: str, payload: AssignIn):
    """Only the fields in the body change: absent keeps, null clears."""
    dispute = selectors.dispute_get(number=number, user=request.auth)
    sent = payload.model_fields_set
    fields: dict[str, str] = {}
    changes = {}
    if "team" in sent:
        changes["team"] = None
        if payload.team is not None:
            changes["team"] = Team.objects.filter(code=payload.team).first()
            if changes["team"] is None:
                fields["team"] = _("小组 %(code)s 不存在") % {"code": payload.team}
    if "assignee" in sent:
        changes["assignee"] = None
        if payload.assignee is not None:
            user = get_user_model().objects.filter(username=payload.assignee).first()
            changes["assignee"] = user
            if user is None:
                fields["assignee"] = _("用户 %(name)s 不存在") % {"name": payload.assignee}
    if fields:
        raise ValidationFailed(_("分派信息有误"), fields=fields)
    services.dispute_assign(dispute=dispute, actor=request.auth, version=payload.version, **changes)
    # What was committed, even when the move took it out of the actor's scope (a lead
    # handing a case to another team): answering 404 would read as "not done".
    return selectors.dispute_for_creator(dispute)


@router.post(
    "/{number}/evidence",
    response={
        201: EvidenceUploadOut,
        200: EvidenceUploadOut,
        413: ErrorOut,
        415: ErrorOut,
        **BODY_ERRORS,
    },
    summary="上传证据 / Upload evidence",
)
def upload_evidence(
    request: HttpRequest, number: str, file: File[UploadedFile], note: Form[str] = ""
):
    dispute = selectors.dispute_get(number=number, user=request.auth)
    result = evidence_add(dispute=dispute, upload=file, actor=request.auth, note=note)
    return Reply(
        200 if result.duplicate else 201,
        {
            "duplicate": result.duplicate,
            "evidence": result.evidence,
        },
    )


@router.get(
    "/{number}/evidence/{evidence_id}",
    response={200: None, **ERRORS},
    summary="下载证据（记入时间线）/ Download evidence",
)
def download_evidence(request: HttpRequest, number: str, evidence_id: int):
    """The stored file — for an image, the copy without metadata. X-Content-SHA256 is
    its hash, X-Received-SHA256 the hash of what was uploaded."""
    dispute = selectors.dispute_get(number=number, user=request.auth)
    evidence = evidence_get(dispute=dispute, evidence_id=evidence_id)
    handle = evidence.file.open("rb")
    evidence_read(evidence=evidence, actor=request.auth)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-SHA256"] = evidence.stored_sha256
    response["X-Received-SHA256"] = evidence.sha256
    return response


@router.get(
    "/{number}/contact",
    response={200: ContactOut, 429: ErrorOut, **ERRORS},
    summary="查看完整联系方式（记入时间线）",
    throttle=CONTACT_REVEAL_THROTTLES,
)
def reveal_contact(request: HttpRequest, number: str):
    dispute = selectors.dispute_get(number=number, user=request.auth)
    phone = services.dispute_reveal_contact(dispute=dispute, actor=request.auth)
    return {"name": dispute.customer.name, "phone": phone, "email": dispute.customer.email}


@router.post(
    "/{number}/classification",
    response={200: DisputeDetailOut, **BODY_ERRORS},
    summary="更正分类或严重程度 / Correct category or severity",
)
def reclassify(request: HttpRequest, number: str, payload: ReclassifyIn):
    dispute = selectors.dispute_get(number=number, user=request.auth)
    dispute_reclassify(
        dispute=dispute,
        actor=request.auth,
        version=payload.version,
        reason=payload.reason or "",
        category=payload.category,
        severity=payload.severity,
        secondary_categories=payload.secondary_categories,
    )
    return selectors.dispute_get(number=number, user=request.auth)
