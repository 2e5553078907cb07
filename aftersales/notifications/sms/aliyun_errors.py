"""Aliyun SMS error codes (SendSms answers and delivery receipts' ErrCode) in words, and
which are permanent: the provider will never take that text for that number, so the
message fails at once. Everything else — throttling, the account's limits, the
provider's own errors, our configuration — is tried again with backoff."""

from django.utils.translation import gettext as _

PERMANENT = frozenset(
    {
        "isv.MOBILE_NUMBER_ILLEGAL",
        "isv.MOBILE_COUNT_OVER_LIMIT",
        "isv.PARAM_LENGTH_LIMIT",
        "isv.INVALID_PARAMETERS",
        "isv.BLACK_KEY_CONTROL_LIMIT",
        "no phone",
    }
)


def _reasons() -> dict[str, str]:
    return {
        "isv.MOBILE_NUMBER_ILLEGAL": _("手机号码格式错误"),
        "isv.MOBILE_COUNT_OVER_LIMIT": _("手机号码数量超过限制"),
        "isv.PARAM_LENGTH_LIMIT": _("短信内容超过长度限制"),
        "isv.INVALID_PARAMETERS": _("短信参数不合法"),
        "isv.BLACK_KEY_CONTROL_LIMIT": _("号码或内容被服务商拦截"),
        "isv.BUSINESS_LIMIT_CONTROL": _("短信发送频率超限，稍后重试"),
        "isv.DAY_LIMIT_CONTROL": _("该号码今日短信已达上限，稍后重试"),
        "isv.AMOUNT_NOT_ENOUGH": _("短信账户余额不足"),
        "isv.OUT_OF_SERVICE": _("短信服务已停用"),
        "isv.SMS_SIGNATURE_ILLEGAL": _("短信签名不可用"),
        "isv.SMS_TEMPLATE_ILLEGAL": _("短信模板不可用"),
        "isp.SYSTEM_ERROR": _("短信服务商系统错误"),
        "SignatureDoesNotMatch": _("短信服务密钥配置错误"),
        "InvalidAccessKeyId.NotFound": _("短信服务密钥配置错误"),
        "ServiceUnavailable": _("短信服务暂时不可用"),
        "unreachable": _("无法连接短信服务商"),
        "no phone": _("顾客没有手机号码"),
    }


def is_permanent(code: str) -> bool:
    return code in PERMANENT


def reason(code: str, message: str) -> str:
    """ "手机号码格式错误（isv.MOBILE_NUMBER_ILLEGAL）"; an unknown code: the provider's own
    message with the code."""
    words = _reasons().get(code)
    if code.startswith("Throttling"):
        words = _("短信服务限流，稍后重试")
    if code.startswith("HTTP 5"):
        words = _("短信服务暂时不可用")
    if words is None:
        words = message or _("短信发送失败")
    if code in ("unreachable", "no phone") or not code:
        return words[:200]
    return f"{words}（{code}）"[:200]
