"""Request and response shapes of the REST API. Incoming values are typed loosely on
purpose: the intake validator judges them and answers in the user's language."""

from datetime import datetime

from ninja import Field, Schema
from pydantic import AliasChoices, AliasPath, BaseModel, ConfigDict

from aftersales.common.money import format_yuan
from aftersales.disputes.intake import DESCRIPTION_MAX
from aftersales.disputes.lifecycle import Status, offered
from aftersales.disputes.models import Channel, Expectation
from aftersales.disputes.selectors import reopen_asked
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.disputes.timeline_registry import kind_label, render_reason

from .order_schemas import OrderIn


class ErrorBody(Schema):
    code: str
    message: str
    fields: dict[str, str] = {}


class ErrorOut(Schema):
    error: ErrorBody


class CustomerIn(Schema):
    name: str = Field(..., description="顾客姓名")
    phone: str = Field(..., description="手机号（11 位）或带区号的固定电话")
    email: str | None = Field(None, description="电子邮箱")


class DisputeIn(Schema):
    channel: str = Field(..., description="受理渠道", json_schema_extra={"enum": Channel.values})
    # Also taken from inside `order` when only it names the number.
    order_no: str = Field(
        ...,
        validation_alias=AliasChoices("order_no", AliasPath("order", "order_no")),
        description="订单号：系统中已有的订单，或随 order 一起给出的新订单（也可只写在 order 里）",
    )
    customer: CustomerIn
    product_name: str | None = Field(None, description="商品名称")
    amount_paid: str | None = Field(None, description='实付金额，十进制字符串，单位元，如 "199.00"')
    claimed_amount: str | None = Field(None, description="诉求金额，十进制字符串，单位元")
    occurred_at: str | None = Field(None, description="发生时间，ISO 8601")
    description: str = Field(..., description=f"问题描述，必填，不超过 {DESCRIPTION_MAX} 字")
    expectation: str | None = Field(
        None, description="顾客诉求", json_schema_extra={"enum": Expectation.values}
    )
    expectation_text: str | None = Field(None, description="诉求说明")
    external_ref: str | None = Field(None, description="来源系统的单号（唯一）")
    order: OrderIn | None = Field(
        None,
        description=(
            "订单本身（与 PUT /api/v1/orders/{order_no} 相同的字段）：订单号未知时随投诉一起"
            "登记；已知的订单按已存内容使用，不被覆盖（但内容仍须合法）"
        ),
    )


# A plain pydantic model, not a ninja Schema: Schema validates through DjangoGetter, which
# drops the extra keys that carry the action's payload (route, satisfaction, …).
class ActionIn(BaseModel):
    """通用生命周期操作（triage、investigate、reject、complete、close、reopen、withdraw）。
    propose、revise、settle、escalate、renegotiate 由各自的流程执行（发送调解方案、顾客
    接受、登记外部途径、售后单未能执行时退回调解），在此返回 409 并给出正确的接口。
    其余字段（如 satisfaction、resolved、customer_confirmed、ground；撤回的 confirmation：
    {"method": "staff_note", "channel": "phone", "at": "2026-12-04T10:00:00+08:00",
    "note": "…"}）作为该操作的详情记入时间线。"""

    model_config = ConfigDict(extra="allow")

    action: str = Field(..., description="生命周期操作，见 allowed_actions")
    version: int = Field(..., description="客户端看到的版本号（乐观锁）")
    reason: str | None = Field(None, description="原因；驳回、撤回、重开等必填")


class AssignIn(Schema):
    """Only the fields sent change: an absent field keeps its value, null clears it."""

    version: int
    team: str | None = Field(None, description="小组编码；不传则不变，null 为清空小组")
    assignee: str | None = Field(None, description="处理人用户名；不传则不变，null 为不指定处理人")


class ReclassifyIn(Schema):
    version: int = Field(..., description="客户端看到的版本号（乐观锁）")
    reason: str | None = Field(None, description="更正原因（必填）")
    category: str | None = Field(
        None, description="新的主分类", json_schema_extra={"enum": [c.value for c in Category]}
    )
    severity: str | None = Field(
        None, description="新的严重程度", json_schema_extra={"enum": [s.value for s in Severity]}
    )
    secondary_categories: list[str] | None = Field(None, description="新的次要分类")


class GroupComplaintOut(Schema):
    id: int
    state: str
    product_name: str
    disputes: list[str]
    created_at: datetime
    decided_at: datetime | None
    reason: str

    @staticmethod
    def resolve_disputes(obj) -> list[str]:
        return [d.number for d in obj.disputes.order_by("received_at", "id")]


class GroupDecisionIn(Schema):
    confirm: bool = Field(..., description="true 确认为集体投诉（成员升为重大），false 排除")
    reason: str | None = Field(None, description="说明；排除时必填")


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    dispute: str | None
    created_at: datetime
    read_at: datetime | None

    @staticmethod
    def resolve_dispute(obj) -> str | None:
        return obj.dispute.number if obj.dispute_id else None


class CustomerOut(Schema):
    name: str
    phone_masked: str


class DisputeOut(Schema):
    number: str
    status: str
    status_label: str
    channel: str
    category: str
    category_label: str
    secondary_categories: list[str]
    severity: str
    severity_label: str
    escalation_risk: bool
    expectation: str
    expectation_text: str
    customer: CustomerOut
    order_no: str | None
    product_name: str
    amount_paid: str | None
    claimed_amount: str | None
    description: str
    team: str | None
    assignee: str | None
    duplicate_of: str | None
    external_ref: str | None
    version: int
    reopen_count: int  # 重开次数: times an unsatisfied follow-up reopened it
    allowed_actions: list[str]
    occurred_at: datetime | None
    received_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    due_at: datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(Status(obj.status).label)

    @staticmethod
    def resolve_category_label(obj) -> str:
        return str(Category(obj.category).label)

    @staticmethod
    def resolve_severity_label(obj) -> str:
        return str(Severity(obj.severity).label)

    @staticmethod
    def resolve_customer(obj) -> dict:
        return {"name": obj.customer.name, "phone_masked": obj.customer.masked_phone}

    @staticmethod
    def resolve_order_no(obj) -> str | None:
        return obj.order.order_no if obj.order_id else None

    @staticmethod
    def resolve_amount_paid(obj) -> str | None:
        return format_yuan(obj.amount_paid)

    @staticmethod
    def resolve_claimed_amount(obj) -> str | None:
        return format_yuan(obj.claimed_amount)

    @staticmethod
    def resolve_team(obj) -> str | None:
        return obj.team.code if obj.team_id else None

    @staticmethod
    def resolve_assignee(obj) -> str | None:
        return obj.assignee.get_username() if obj.assignee_id else None

    @staticmethod
    def resolve_duplicate_of(obj) -> str | None:
        if not obj.duplicate_of_id:
            return None
        # dispute_get reads the original's number with the dispute; a list its row.
        return getattr(obj, "duplicate_number", None) or obj.duplicate_of.number

    @staticmethod
    def resolve_allowed_actions(obj) -> list[str]:
        # In a list a closed dispute offers nothing; its page says when its customer asked
        # to reopen it (DisputeDetailOut).
        return [a.value for a in offered(obj.status)]


class EventOut(Schema):
    at: datetime
    kind: str
    kind_label: str
    action: str
    from_status: str
    to_status: str
    actor: str
    reason: str
    payload: dict

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return kind_label(obj.kind)

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label or (obj.actor.get_username() if obj.actor_id else "")

    @staticmethod
    def resolve_reason(obj) -> str:
        """A system text in the reader's language; what a person typed, as typed."""
        return render_reason(obj.reason, obj.payload)


class EvidenceOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str  # of the bytes received
    stored_sha256: str  # of the file served: an image's copy without metadata
    metadata_removed: bool
    metadata_checked: bool
    note: str
    uploaded_at: datetime

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.original_name


class DisputeDetailOut(DisputeOut):
    timeline: list[EventOut]
    evidence: list[EvidenceOut]

    @staticmethod
    def resolve_allowed_actions(obj) -> list[str]:
        asked = obj.status == Status.CLOSED and reopen_asked(obj)
        return [a.value for a in offered(obj.status, reopen_asked=asked)]

    @staticmethod
    def resolve_timeline(obj) -> list:
        if obj.known_events is not None:  # just taken in: the intake wrote these
            return obj.known_events
        return list(obj.events.select_related("actor").order_by("at", "id"))

    @staticmethod
    def resolve_evidence(obj) -> list:
        if obj.known_events is not None:  # just taken in: no evidence yet
            return []
        return list(obj.evidence.order_by("uploaded_at", "id"))


class DisputePage(Schema):
    items: list[DisputeOut]
    count: int  # exact when count_exact; else a lower bound (at least 1,000 rows)
    count_exact: bool = True
    page: int
    page_size: int
    pages: int


class EvidenceUploadOut(Schema):
    duplicate: bool
    evidence: EvidenceOut


class ContactOut(Schema):
    name: str
    phone: str
    email: str
