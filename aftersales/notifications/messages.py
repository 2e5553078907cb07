"""Texts of customer messages (Chinese by default, English when the customer's language is
English). Pure: values in, (subject, body) out."""

from dataclasses import dataclass


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
