"""The lifecycle histories of the demo disputes (`aftersales demo`): which actions each
took, when, why and through which door, every move judged by `lifecycle.decide` as the
service that owns it would have it judged.

The steps carry what the owning services write: a withdrawal its reason and the
customer's confirmation (a staff note: channel, time, what was said); an escalation the
route, the outside body and its reference (`escalation_file`). Proposal steps (propose,
revise, settle) get their proposal and revision once the mediation demo has written
them (`demo.proposals`), as `proposal_send` and the customer's acceptance do."""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from aftersales.demo.text import Complaint, StoreInfo
from aftersales.disputes import lifecycle
from aftersales.disputes.bulk import HistoryStep
from aftersales.disputes.lifecycle import Action, CaseFacts, Status
from aftersales.disputes.taxonomy import Category, Severity

A = Action
S = Status
MAIN_LINE = (A.TRIAGE, A.INVESTIGATE, A.PROPOSE, A.SETTLE, A.COMPLETE, A.CLOSE)
# Minutes after the previous step (log-uniform between the bounds).
GAP_MINUTES: dict[Action, tuple[float, float]] = {
    A.TRIAGE: (1, 12),  # classification is due in 10 minutes: most make it
    A.INVESTIGATE: (10, 300),
    A.PROPOSE: (60, 1440),
    A.REVISE: (120, 2000),
    A.SETTLE: (30, 2880),
    A.COMPLETE: (120, 4320),
    A.CLOSE: (180, 1800),
    A.ESCALATE: (240, 4320),
    A.REOPEN: (60, 1440),
    A.REJECT: (10, 600),
    A.WITHDRAW: (60, 4320),
}
CLOSE_AFTER_ESCALATION = (720, 4320)  # platform review: 3 working days
# What the customer accepting a proposal writes; the mediation demo adds the proposal's
# number and revision (negotiation._accept's reason).
SETTLE_PLACEHOLDER = "顾客接受调解方案"


@dataclass(frozen=True)
class Handlers:
    handler: str  # who works the dispute, as the timeline names them
    lead: str  # the team lead


def actions_to(rng: random.Random, target: Status) -> list[Action]:
    """A realistic sequence of actions to `target`: lifecycle.path_to, with the detours
    real cases take (revised proposals, escalations, reopened follow-ups)."""
    path = lifecycle.path_to(target)

    def with_revisions(actions: list[Action], share: float) -> list[Action]:
        out = []
        for action in actions:
            out.append(action)
            if action == A.PROPOSE and rng.random() < share:
                out += [A.REVISE] * rng.choice((1, 1, 1, 2))
        return out

    if target == Status.CLOSED:
        v = rng.random()
        if v < 0.08:
            head = [A.TRIAGE, A.INVESTIGATE] + ([A.PROPOSE] if rng.random() < 0.4 else [])
            return [*head, A.ESCALATE, A.CLOSE]
        if v < 0.12:
            return [A.TRIAGE, A.INVESTIGATE, A.ESCALATE, A.PROPOSE, A.SETTLE, A.COMPLETE, A.CLOSE]
        if v < 0.18:
            first = with_revisions(list(MAIN_LINE[:-1]), 0.2)
            return [*first, A.REOPEN, A.INVESTIGATE, A.PROPOSE, A.SETTLE, A.COMPLETE, A.CLOSE]
        return with_revisions(path, 0.25)
    if target == Status.ESCALATED:
        v = rng.random()
        if v < 0.5:
            return path
        if v < 0.9:
            return [*with_revisions([A.TRIAGE, A.INVESTIGATE, A.PROPOSE], 0.5), A.ESCALATE]
        return [A.TRIAGE, A.INVESTIGATE, A.PROPOSE, A.SETTLE, A.ESCALATE]
    if target == Status.WITHDRAWN:
        weights = {S.RECEIVED: 15, S.TRIAGED: 20, S.INVESTIGATING: 30, S.PROPOSING: 25,
                   S.EXECUTING: 10}  # fmt: skip
        start = rng.choices(list(weights), list(weights.values()))[0]
        return [*lifecycle.path_to(start), A.WITHDRAW]
    if target in (Status.PROPOSING, Status.EXECUTING, Status.FOLLOW_UP, Status.REOPENED):
        return with_revisions(path, 0.3 if target == Status.PROPOSING else 0.2)
    return path


def history(
    rng: random.Random,
    target: Status,
    c: Complaint,
    received: dt.datetime,
    now: dt.datetime,
    who: Handlers,
    route: str,
    store: StoreInfo,
) -> list[HistoryStep]:
    """The steps to `target`, each judged by the lifecycle through its owner's door. A
    complex or major dispute's proposal from investigation comes after the case meeting
    and the responsibility finding the mediation demo records before it."""
    actions = actions_to(rng, target)
    # Gaps between steps; squeezed to fit when the dispute is younger than they add up to.
    gaps = []
    status = Status.RECEIVED
    for action in actions:
        low, high = (
            CLOSE_AFTER_ESCALATION
            if action == A.CLOSE and status == Status.ESCALATED
            else GAP_MINUTES[action]
        )
        gaps.append(math.exp(rng.uniform(math.log(low), math.log(high))) * 60)
        status = lifecycle.TRANSITIONS[action].target_from(status)
    room = (now - received).total_seconds() - 60
    if sum(gaps) > room * 0.97:
        factor = room * 0.97 / sum(gaps)
        gaps = [g * factor for g in gaps]

    facts = CaseFacts(severity=c.severity, case_meeting_held=True, responsibility_determined=True)
    steps: list[HistoryStep] = []
    at, status = received, Status.RECEIVED
    for action, gap in zip(actions, gaps, strict=True):
        previous = at
        at = at + dt.timedelta(seconds=max(int(gap), 1))
        reason, payload, actor = _step(rng, action, status, c, route, store, previous, at)
        via = lifecycle.owner_of(action)
        move = lifecycle.decide(
            status,
            action,
            reason=reason,
            payload=payload,
            facts=facts if lifecycle.needs_facts(action) else None,
            via=via,
            at=at,
            received_at=received,
        )
        label = {"lead": who.lead, "system": "system"}.get(actor, who.handler)
        steps.append(
            HistoryStep(
                action=action.value,
                at=at,
                reason=reason,
                payload=payload,
                actor_label=label,
                via=via,
            )
        )
        status = move.target
    assert status == target, (status, target)
    return steps


INVESTIGATION = {
    Category.QUALITY: "已通知质检部门核查顾客提供的照片和视频",
    Category.NOT_AS_DESCRIBED: "已调取商品详情页存档，与实物照片比对",
    Category.COUNTERFEIT: "已请质检和法务核实商品来源与进货凭证",
    Category.PRICE_PROMOTION: "已请运营核实活动规则和价格记录",
    Category.WRONG_OR_MISSING: "已调取仓库出库记录和打包视频",
    Category.SHIPPING_DELAY: "已向仓库核实排单和发货情况",
    Category.LOGISTICS: "已联系快递公司核实物流轨迹",
    Category.OUT_OF_STOCK: "已向运营确认库存和补货时间",
    Category.SERVICE: "已调取客服聊天记录和通话录音",
    Category.RETURN_REFUND: "已核对退货物流和退款记录",
    Category.REPAIR_INSTALLATION: "已联系售后网点了解维修和安装记录",
    Category.OTHER: "已联系顾客了解具体诉求",
}
DONE = {
    "refund": "退款已提交财务，原路退回，预计 1-3 个工作日到账",
    "return_refund": "已收到退货，退款已提交财务，预计 1-3 个工作日到账",
    "exchange": "换货新品已发出，快递单号 SF{track}",
    "repair": "维修完成，顾客已签字确认",
    "reship": "补发包裹已发出，快递单号 YT{track}",
    "compensation": "补偿款已打款到顾客支付宝",
    "apology": "已致电顾客道歉，优惠券已发放",
    "other": "已向顾客说明情况，优惠券已发放",
}
ESCALATION = {
    "platform": "顾客申请平台介入，平台客服已介入处理",
    "consumer_association": "顾客向消费者协会投诉，消协来函要求调解",
    "regulator": "顾客拨打 12315 投诉，市场监管局转来工单",
    "arbitration": "双方协商不成，按约定提交仲裁",
    "lawsuit": "顾客委托律师发来律师函，准备起诉",
}
# The outside body of each route and how its reference reads.
ESCALATION_BODY = {
    "platform": ("{platform}平台客服", "{prefix}{n:012d}"),
    "consumer_association": ("杭州市消费者权益保护委员会", "消保委调〔2026〕{n:05d}号"),
    "regulator": ("杭州市市场监督管理局（12315）", "12315-{n:010d}"),
    "arbitration": ("杭州仲裁委员会", "（2026）杭仲字第{n:04d}号"),
    "lawsuit": ("杭州市西湖区人民法院", "（2026）浙0106民初{n:05d}号"),
}
PLATFORM_NAMES = {"taobao": "淘宝", "tmall": "天猫", "jd": "京东", "pinduoduo": "拼多多",
                  "douyin": "抖音", "kuaishou": "快手"}  # fmt: skip
ESCALATION_OUTCOME = {
    "platform": ("平台判定支持顾客，已按平台结果退款", "平台判定商家无责，纠纷关闭"),
    "consumer_association": ("经消协调解双方达成一致，已履行",),
    "regulator": ("市场监管局组织调解，双方达成一致，结案",),
    "arbitration": ("仲裁裁决已履行",),
    "lawsuit": ("法院调解结案，已按调解书赔付",),
}
REJECTION = {
    "duplicate": "同一订单的问题已在另一投诉中处理，重复投诉",
    "invalid": "经核实商品无质量问题，顾客描述与事实不符",
    "fake": "顾客提供的照片为网络图片，订单信息对不上，虚假投诉",
    "mistaken": "顾客购买的不是本店商品，误投，已告知正确的投诉渠道",
}
REOPENING = (
    "回访：顾客表示退款仍未到账",
    "回访：顾客反映问题仍未解决，要求重新处理",
    "回访：顾客对处理结果不满意",
    "回访：补发的商品仍然少件",
)
# (reason, how the customer said so, the staff note of what they said)
WITHDRAWAL = (
    ("顾客表示问题已自行解决，撤回投诉", "chat", "顾客在线留言：问题已经自己解决了，不用再处理"),
    ("顾客来电撤回投诉，表示已收到商品", "phone", "顾客来电确认已收到商品，同意撤回投诉"),
    ("顾客在平台撤销了纠纷申请", "platform", "平台通知：顾客已撤销纠纷申请，截图已存档"),
)
LIVE_WITHDRAWAL = (
    "顾客与主播私下协商一致，申请撤回",
    "phone",
    "顾客来电说明已与主播协商一致，确认撤回投诉",
)
REVISION_NOTES = (
    "顾客不接受，希望提高补偿金额，经组长同意调整方案",
    "顾客对补偿金额有异议，重新协商",
    "顾客要求换个处理方式，修改方案",
)
CLOSING = (
    "回访：顾客表示满意，问题已解决",
    "回访：款项已到账，顾客确认结案",
    "回访：顾客认可处理结果",
)


def escalation_payload(rng: random.Random, route: str, store: StoreInfo) -> dict:
    """The route, the outside body and its reference, as `escalation_file` records them."""
    body, reference = ESCALATION_BODY[route]
    prefix = {"taobao": "TB", "tmall": "TM", "jd": "JD"}.get(store.platform, "PF")
    return {
        "route": route,
        "reference": reference.format(prefix=prefix, n=rng.randrange(1, 10**9)),
        "body": body.format(platform=PLATFORM_NAMES.get(store.platform, "电商")),
    }


def _step(
    rng: random.Random,
    action: Action,
    status: Status,
    c: Complaint,
    route: str,
    store: StoreInfo,
    previous: dt.datetime,
    at: dt.datetime,
) -> tuple[str, dict, str]:
    """Reason, payload and who acted ("handler", "lead" or "system") for one step."""
    category = Category(c.category)
    if action == A.TRIAGE:
        reason = f"分类：{Category(category).label}，{Severity(c.severity).label}"
        return reason, {"category": c.category, "severity": c.severity}, "handler"
    if action == A.INVESTIGATE:
        return INVESTIGATION[category], {}, "handler"
    if action == A.PROPOSE:
        return "", {}, "lead" if status == Status.ESCALATED else "handler"
    if action == A.REVISE:
        return rng.choice(REVISION_NOTES), {}, "lead"
    if action == A.SETTLE:
        return SETTLE_PLACEHOLDER, {"by": "customer"}, "system"
    if action == A.COMPLETE:
        done = DONE[c.expectation].format(track=rng.randrange(10**11, 10**12))
        return done, {"remedy": c.expectation}, "handler"
    if action == A.CLOSE:
        if status == Status.ESCALATED:
            return rng.choice(ESCALATION_OUTCOME[route]), {"route": route}, "lead"
        if rng.random() < 0.3:
            return "顾客确认问题已解决", {"customer_confirmed": True}, "handler"
        score = rng.choices((3, 4, 5), (10, 35, 55))[0]
        return rng.choice(CLOSING), {"satisfaction": score, "resolved": True}, "handler"
    if action == A.ESCALATE:
        return ESCALATION[route], escalation_payload(rng, route, store), "lead"
    if action == A.REOPEN:
        score = rng.choice((1, 2))
        return rng.choice(REOPENING), {"satisfaction": score, "resolved": False}, "handler"
    if action == A.REJECT:
        ground = rng.choices(list(REJECTION), (35, 25, 20, 20))[0]
        return REJECTION[ground], {"ground": ground}, "lead"
    if action == A.WITHDRAW:
        options = WITHDRAWAL + ((LIVE_WITHDRAWAL,) if store.is_live else ())
        reason, channel, note = rng.choice(options)
        said = previous + (at - previous) * rng.uniform(0.5, 0.95)
        confirmation = {
            "method": "staff_note",
            "channel": channel,
            "at": said.replace(microsecond=0).isoformat(),
            "note": note,
        }
        return reason, {"confirmation": confirmation}, "handler"
    raise AssertionError(action)  # pragma: no cover
