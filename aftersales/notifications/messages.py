"""Texts of customer messages (Chinese by default, English when the customer's language is
English), and their SMS form: the store's signature 【店铺名】 in front, one SMS (70
characters) where possible. Pure: values in, text out."""

import re
from dataclasses import dataclass

# One SMS holds 70 Chinese characters; a longer text goes as parts of 67 each.
SMS_SINGLE = 70
SMS_PART = 67
SIGNATURE = re.compile(r"^【[^】]*】")


@dataclass(frozen=True)
class Acknowledgement:
    number: str
    customer_name: str
    received_at_display: str  # already in Asia/Shanghai
    next_step_hours: int = 24


def acknowledgement_text(ack: Acknowledgement, language: str = "zh-hans") -> tuple[str, str]:
    if language.startswith("en"):
        subject = f"Your complaint {ack.number} has been received"
        body = (
            f"Dear {ack.customer_name}, we received your complaint at {ack.received_at_display}. "
            f"Its number is {ack.number}. A customer-service agent will contact you within "
            f"{ack.next_step_hours} hours. Please quote the number when you contact us."
        )
        return subject, body
    subject = f"您的投诉已受理（编号 {ack.number}）"
    body = (
        f"{ack.customer_name}您好，我们已于{ack.received_at_display}受理您的投诉，"
        f"投诉编号为 {ack.number}。客服专员将在{ack.next_step_hours}小时内与您联系，"
        f"请留意来电或消息；咨询进度时请提供投诉编号。"
    )
    return subject, body


def sms_signature(store_name: str, fallback: str) -> str:
    """【店铺名】 of the dispute's store, else the configured `fallback` (already 【…】)."""
    name = store_name.strip().strip("【】").strip()
    return f"【{name}】" if name else fallback


def with_signature(text: str, signature: str) -> str:
    """The text with `signature` in front (instead of one it already has)."""
    return signature + SIGNATURE.sub("", text.strip(), count=1)


def sms_parts(text: str) -> int:
    """How many SMS the text goes as."""
    return 1 if len(text) <= SMS_SINGLE else -(-len(text) // SMS_PART)


def acknowledgement_sms(
    *, signature: str, number: str, next_step_hours: int = 24, link: str = ""
) -> str:
    """The acknowledgement as one SMS: the number and the next step (the full text is in
    the portal inbox); `link` added only when it still fits."""
    text = (
        f"{signature}您的投诉已受理，编号{number}，"
        f"客服将在{next_step_hours}小时内联系您，咨询时请提供编号。"
    )
    with_link = f"{text}进度：{link}"
    return with_link if link and len(with_link) <= SMS_SINGLE else text
