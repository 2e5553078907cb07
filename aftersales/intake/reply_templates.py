"""The staff's reply templates (回复模板): the common after-sales replies a handler picks
on the dispute page and edits before sending. Each text has the placeholders
{customer_name} and {number}, filled by `render` ({store} may be used too); an SMS is
signed with the store's name by its channel. Pure: no ORM, no clock."""

from dataclasses import dataclass
from string import Formatter

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

PLACEHOLDERS = ("customer_name", "number")


@dataclass(frozen=True)
class ReplyTemplate:
    code: str
    label: Promise
    text: Promise


TEMPLATES: tuple[ReplyTemplate, ...] = (
    ReplyTemplate(
        "received",
        pgettext_lazy("reply template", "已收到留言，正在核实"),
        gettext_lazy(
            "{customer_name}您好，您关于投诉 {number} 的留言我们已收到，"
            "正在核实情况，核实后会尽快回复您。"
        ),
    ),
    ReplyTemplate(
        "evidence_needed",
        pgettext_lazy("reply template", "请补充照片/视频凭证"),
        gettext_lazy(
            "{customer_name}您好，为尽快处理投诉 {number}，请您补充商品问题的照片或视频"
            "（能看清问题部位和商品包装/标签），可在投诉页面直接上传。"
        ),
    ),
    ReplyTemplate(
        "return_address",
        pgettext_lazy("reply template", "退货地址与注意事项"),
        gettext_lazy(
            "{customer_name}您好，投诉 {number} 的退货地址已在投诉页面列出。寄回时请保持"
            "商品及配件、赠品完整，并在页面填写快递公司和运单号，我们收到后会尽快处理。"
        ),
    ),
    ReplyTemplate(
        "refund_progress",
        pgettext_lazy("reply template", "退款进度说明"),
        gettext_lazy(
            "{customer_name}您好，投诉 {number} 的退款已在处理中，将原路退回您的支付账户，"
            "到账时间以支付渠道为准，您可在投诉页面查看进度。"
        ),
    ),
    ReplyTemplate(
        "exchange_shipped",
        pgettext_lazy("reply template", "换货发出通知"),
        gettext_lazy(
            "{customer_name}您好，投诉 {number} 的换货商品已发出，物流信息可在投诉页面查看，"
            "收到后请检查商品并在页面确认收货。"
        ),
    ),
    ReplyTemplate(
        "follow_up",
        pgettext_lazy("reply template", "处理结果回访"),
        gettext_lazy(
            "{customer_name}您好，投诉 {number} 已处理完毕，请问问题是否已解决、"
            "您对处理结果是否满意？欢迎在投诉页面为本次服务评分。"
        ),
    ),
    ReplyTemplate(
        "delay_apology",
        pgettext_lazy("reply template", "处理延迟致歉"),
        gettext_lazy(
            "{customer_name}您好，投诉 {number} 的处理比预期慢了，非常抱歉。"
            "我们正在加紧处理，有进展会第一时间通知您。"
        ),
    ),
)
_BY_CODE = {t.code: t for t in TEMPLATES}


class UnknownTemplate(ValueError):
    """A template code that is not in the list."""


def template_choices() -> list[dict[str, str]]:
    """Every template: code, label and text (placeholders unfilled), in the active
    language, in the order the dispute page lists them."""
    return [{"code": t.code, "label": str(t.label), "text": str(t.text)} for t in TEMPLATES]


def is_template(code: str) -> bool:
    return code in _BY_CODE


def render(code: str, *, customer_name: str, number: str, store: str) -> str:
    """The template `code` with its placeholders filled; `UnknownTemplate` for a code
    not in the list. (An SMS carries the store's signature 【店铺名】 at its start: the
    channel adds it, `notifications.delivery.channel_text`.)"""
    template = _BY_CODE.get(code)
    if template is None:
        raise UnknownTemplate(code)
    text = str(template.text)
    values = {"customer_name": customer_name or _("顾客"), "number": number, "store": store}
    return text.format(**values)


def placeholders_of(text: str) -> set[str]:
    """The {names} a text uses (for checking a translation keeps them)."""
    return {name for _lit, name, _spec, _conv in Formatter().parse(text) if name}
