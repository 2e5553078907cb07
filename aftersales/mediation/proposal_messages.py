"""What people read about a proposal: the messages of the problems that refuse a remedy
line and of the warnings that do not, the approvals a revision waits for, each remedy
line as the customer and the agreement read it, and the message sent to the customer.
Codes and parameters come from the pure modules; the words are here, through gettext."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from aftersales.disputes.taxonomy import Category
from aftersales.parties.roles import Role

from . import authority
from .remedies import Payer, RemedyCode, RemedyItem
from .remedy_lines import Problem, ProposalWarning


def _label(code: str) -> str:
    return str(RemedyCode(code).label)


def _category(code: str) -> str:
    return str(Category(code).label)


def _yuan(value: Any) -> str:
    return f"{Decimal(value):,.2f}"


def problem_message(problem: Problem) -> str:
    p = problem.params
    code = problem.code
    if code == "refund_above_paid":
        return _(
            "退款合计不能超过可退金额 %(refundable)s 元（订单实付 %(paid)s 元，已退或已约定"
            "退还 %(refunded)s 元）；法律规定的价款以外的赔偿（惩罚性赔偿、损失赔偿）请填写为"
            "赔偿金（compensation）"
        ) % {k: _yuan(p[k]) for k in ("refundable", "paid", "refunded")}
    if code == "return_above_goods":
        return _(
            "退货退款不能超过所退商品的实付金额 %(goods_paid)s 元；另外给顾客的钱请填写为"
            "退款（refund）或赔偿金（compensation），计入权限金额"
        ) % {"goods_paid": _yuan(p["goods_paid"])}
    if code == "bundle_refund_mismatch":
        return _(
            "套餐部分退货应退 %(required)s 元（套餐实付 %(paid)s 元减去保留商品的标价 %(kept)s 元）"
        ) % {k: _yuan(p[k]) for k in ("required", "paid", "kept")}
    if code == "kept_unknown":
        return _("套餐中没有“%(name)s”，套餐包含：%(components)s") % {
            "name": p["name"],
            "components": "、".join(p["components"]),
        }
    if code == "customer_pays_not_applicable":
        return _("只有换货、整机更换或维修可以填写顾客应付的金额，可选：%(allowed)s") % {
            "allowed": "、".join(f"{c}（{_label(c)}）" for c in p["allowed"])
        }
    if code == "flag_not_applicable":
        return _("“%(flag)s”只适用于：%(allowed)s") % {
            "flag": p["flag"],
            "allowed": "、".join(f"{c}（{_label(c)}）" for c in p["allowed"]),
        }
    if code == "remedy_unknown":
        return _("未知的解决办法“%(code)s”，可选：%(choices)s") % {
            "code": p.get("code", ""),
            "choices": ", ".join(c.value for c in RemedyCode),
        }
    messages = {
        "remedies_not_list": _("解决办法应为列表"),
        "remedies_empty": _("请至少填写一项解决办法"),
        "remedy_not_object": _("每项解决办法应为对象"),
        "remedy_repeated": _("同一解决办法只能填写一次"),
        "amount_not_decimal": _('金额应为以元为单位的数字字符串，如 "199.00"'),
        "amount_negative": _("金额不能为负数"),
        "amount_too_precise": _("金额最多保留两位小数（精确到分）"),
        "amount_too_large": _("金额不能超过 %(max)s 元") % {"max": p.get("max")},
        "amount_required": _("该解决办法必须填写大于 0 的金额"),
        "amount_not_applicable": _("该解决办法不涉及金额"),
        "customer_pays_with_amount": _(
            "同一项不能既由商家支付金额又由顾客付款，请只填写 amount 或 customer_pays 之一"
        ),
        "kept_not_list": _("保留的商品应为商品名称的列表"),
        "kept_not_applicable": _("只有套餐的退货退款可以填写顾客保留的商品"),
        "kept_too_many": _("保留的商品最多 %(max)s 项") % {"max": p.get("max")},
        "kept_name_invalid": _("商品名称应为不超过 %(max)s 个字符的文字") % {"max": p.get("max")},
        "kept_repeated": _("保留的商品“%(name)s”重复") % {"name": p.get("name", "")},
        "bundle_unknown": _("该投诉的订单中没有套餐商品，不能填写保留的商品"),
        "deadline_invalid": _("期限应为 0 到 %(max)s 之间的整天数") % {"max": p.get("max")},
        "payer_invalid": _("运费承担方应为 merchant（商家）或 consumer（顾客）"),
        "note_too_long": _("说明不能超过 %(max)s 个字符") % {"max": p.get("max")},
        "flag_not_bool": _("该项应为 true 或 false"),
    }
    return messages[code]


def warning_message(warning: ProposalWarning | Mapping[str, Any]) -> str:
    if not isinstance(warning, ProposalWarning):
        warning = ProposalWarning.from_dict(warning)
    p = warning.params
    if warning.code == "remedy_unusual_for_category":
        return _("“%(remedy)s”不是“%(category)s”类投诉的常见解决办法，请确认分类是否准确") % {
            "remedy": _label(p["code"]),
            "category": _category(p["category"]),
        }
    if warning.code == "refund_counted_no_order":
        return _("订单实付金额未知，无法核对退款，退款 %(amount)s 元全额计入权限金额") % p
    return warning.code


def line_warnings(lines: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The warnings stored with a revision's lines, each with its message."""
    return [
        {"code": w["code"], "field": w.get("field", ""), "message": warning_message(w)}
        for line in lines
        for w in line.get("warnings") or ()
    ]


def requirement_label(req: authority.Requirement) -> str:
    role = Role(req.role).label
    if req.why == authority.Why.BELOW_MINIMUM:
        return _("低于法定标准，须%(role)s审核") % {"role": role}
    if req.why == authority.Why.MAJOR_INCIDENT:
        return _("重大质量事故处理申请，须%(role)s批准") % {"role": role}
    return _("超出拟定人权限（%(ceiling)s 元），须%(role)s或以上审批") % {
        "ceiling": req.ceiling,
        "role": role,
    }


EXCHANGES = (RemedyCode.EXCHANGE, RemedyCode.WHOLE_EXCHANGE)


def _money(item: RemedyItem) -> str:
    """The line's money, with its direction: who pays whom."""
    if item.customer_pays is not None and item.customer_pays > 0:
        pays = {"amount": f"{item.customer_pays:,.2f}"}
        if item.code in EXCHANGES:
            return _("，顾客补差价 %(amount)s 元") % pays
        return _("，顾客支付费用 %(amount)s 元") % pays
    if item.amount is None or item.amount <= 0:
        return ""
    amount = {"amount": f"{item.amount:,.2f}"}
    if item.code in EXCHANGES:
        return _("，商家退还差价 %(amount)s 元") % amount
    text = _(" %(amount)s 元") % amount
    if item.kept:
        text += _("（套餐部分退货，顾客保留：%(kept)s）") % {"kept": "、".join(item.kept)}
    return text


def remedy_line(item: RemedyItem) -> str:
    """One remedy as the customer and the agreement read it."""
    text = str(RemedyCode(item.code).label) + _money(item)
    if item.deadline_days:
        text += _("，自协议达成之日起 %(days)s 日内办理") % {"days": item.deadline_days}
    if item.shipping_paid_by is not None:
        text += (
            _("，运费由商家承担")
            if item.shipping_paid_by == Payer.MERCHANT
            else _("，运费由顾客承担")
        )
    if item.refund_first:
        text += _("，先退款后退货（退款不等退回商品签收）")
    if item.ship_first:
        text += _("，先发后退（退回包裹有物流后即发新件）")
    if item.note:
        text += f"（{item.note}）"
    return text


def render_message(
    *,
    customer_name: str,
    number: str,
    product: str,
    revision: int,
    items: Sequence[RemedyItem],
    total: Decimal,
    customer_pays: Decimal,
    note: str,
) -> str:
    """The message the customer receives with the proposal."""
    return render_to_string(
        "mediation/proposal_message.txt",
        {
            "customer_name": customer_name,
            "number": number,
            "product": product,
            "revision": revision,
            "lines": [remedy_line(i) for i in items],
            "amount": f"{total:,.2f}" if total else "",
            "customer_pays": f"{customer_pays:,.2f}" if customer_pays else "",
            "note": note,
        },
    ).strip()
