"""Aliyun SMS (Dysmsapi, API version 2017-05-25) over its HTTPS RPC interface, signed with
POP signature version 1 (HMAC-SHA1), with the standard library's urllib.

- SendSms: PhoneNumbers, SignName, TemplateCode, TemplateParam (JSON: the text under the
  template's one variable, AFTERSALES_SMS_ALIYUN_TEMPLATE_PARAM, default "content"),
  OutId = the attempt's key. Answer {"Code": "OK", "BizId", "RequestId", "Message"}; a
  Code other than OK is an error: `aliyun_errors` says which are permanent.
- QuerySendDetails (PhoneNumber, SendDate yyyyMMdd, PageSize, CurrentPage): the texts
  sent to a number on a day, each with its OutId and SendStatus (1 waiting for the
  receipt, 2 failed, 3 delivered) — `status(key)` and `receipt(key)`.

The SMS signature: a text starting with 【name】 is sent with SignName "name" when that
name is an approved signature (AFTERSALES_SMS_ALIYUN_SIGN_NAMES), else with the default
AFTERSALES_SMS_ALIYUN_SIGN_NAME; the provider puts the signature in front of the text.

Settings: AFTERSALES_SMS_ALIYUN_ENDPOINT (default https://dysmsapi.aliyuncs.com/),
AFTERSALES_SMS_ALIYUN_ACCESS_KEY_ID, AFTERSALES_SMS_ALIYUN_ACCESS_KEY_SECRET,
AFTERSALES_SMS_ALIYUN_SIGN_NAME, AFTERSALES_SMS_ALIYUN_SIGN_NAMES (comma-separated),
AFTERSALES_SMS_ALIYUN_TEMPLATE_CODE, AFTERSALES_SMS_ALIYUN_TEMPLATE_PARAM,
AFTERSALES_SMS_ALIYUN_REGION (cn-hangzhou), AFTERSALES_SMS_TIMEOUT (seconds, 10)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import uuid
from urllib.error import HTTPError, URLError
from urllib.parse import quote
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.notifications.channels import ChannelError, Delivery, Receipt

from .aliyun_errors import is_permanent, reason

SHANGHAI = ZoneInfo("Asia/Shanghai")
VERSION = "2017-05-25"
SIGNED = re.compile(r"^【([^】]{1,30})】")
# The provider lists a text under the (Shanghai) day it logged it: an attempt within an
# hour of midnight, by our clock, is looked for under both days (our clock and theirs, a
# retry's time and the first send's, differ by minutes).
LOOK_AROUND = dt.timedelta(hours=1)


def encode(value) -> str:
    """RFC 3986 percent-encoding, as the POP signature wants it (space %20, * %2A, ~)."""
    return quote(str(value), safe="~")


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    canonical = "&".join(f"{encode(k)}={encode(params[k])}" for k in sorted(params))
    to_sign = f"{method}&{encode('/')}&{encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, f"AFTERSALES_SMS_ALIYUN_{name}", "") or default)


class AliyunSms:
    def __init__(self) -> None:
        self.endpoint = _setting("ENDPOINT", "https://dysmsapi.aliyuncs.com/")
        self.key_id = _setting("ACCESS_KEY_ID")
        self.secret = _setting("ACCESS_KEY_SECRET")
        self.sign_name = _setting("SIGN_NAME")
        self.sign_names = {n.strip() for n in _setting("SIGN_NAMES").split(",") if n.strip()}
        self.template = _setting("TEMPLATE_CODE")
        self.param = _setting("TEMPLATE_PARAM", "content")
        self.region = _setting("REGION", "cn-hangzhou")
        self.timeout = float(getattr(settings, "AFTERSALES_SMS_TIMEOUT", 10))

    # -- the RPC call ----------------------------------------------------------------------

    def call(self, action: str, **business: str) -> dict:
        """One signed request; the decoded answer when Code is OK. ChannelError when the
        provider surely did not act on it (an error answer, a connection refused); a
        timeout after the request went out propagates."""
        if not (self.key_id and self.secret):
            raise ChannelError("Aliyun SMS AccessKey not configured", detail=_("短信服务未配置"))
        params = {
            "AccessKeyId": self.key_id,
            "Action": action,
            "Format": "JSON",
            "RegionId": self.region,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "Timestamp": timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": VERSION,
            **business,
        }
        params["Signature"] = signature(params, self.secret)
        body = "&".join(f"{encode(k)}={encode(v)}" for k, v in params.items()).encode()
        request = Request(
            self.endpoint,
            data=body,
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read() or b"{}")
        except HTTPError as exc:  # the provider answered with an error status
            answer = _error_body(exc)
            code = answer.get("Code") or f"HTTP {exc.code}"
            raise ChannelError(
                f"Aliyun {action}: {code}",
                permanent=exc.code < 500 and is_permanent(code),
                detail=reason(code, answer.get("Message", "")),
            ) from exc
        except URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise TimeoutError(f"Aliyun {action}: no answer") from exc
            raise ChannelError(
                f"Aliyun {action}: unreachable ({type(exc.reason).__name__})",
                detail=reason("unreachable", ""),
            ) from exc
        code = answer.get("Code", "")
        if code != "OK":
            raise ChannelError(
                f"Aliyun {action}: {code}",
                permanent=is_permanent(code),
                detail=reason(code, answer.get("Message", "")),
            )
        return answer

    # -- the adapter -----------------------------------------------------------------------

    def split_signature(self, text: str) -> tuple[str, str]:
        """(SignName, the text without a leading 【signature】)."""
        found = SIGNED.match(text)
        if not found:
            return self.sign_name, text
        name = found.group(1)
        return (name if name in self.sign_names else self.sign_name), text[found.end() :]

    def send(self, delivery: Delivery) -> str:
        if not delivery.phone:
            raise ChannelError("no phone number", permanent=True, detail=reason("no phone", ""))
        sign_name, content = self.split_signature(delivery.text)
        answer = self.call(
            "SendSms",
            PhoneNumbers=delivery.phone,
            SignName=sign_name,
            TemplateCode=self.template,
            TemplateParam=json.dumps({self.param: content}, ensure_ascii=False),
            OutId=delivery.key,
        )
        return str(answer.get("BizId", ""))

    def _find(self, key: str, phone: str, at: dt.datetime | None) -> dict | None:
        """The provider's record of the attempt with this OutId, if it has one."""
        at = at or timezone.now()
        days = dict.fromkeys(
            when.astimezone(SHANGHAI).strftime("%Y%m%d")
            for when in (at, at - LOOK_AROUND, at + LOOK_AROUND)
        )
        for day in days:
            for page in range(1, 11):
                answer = self.call(
                    "QuerySendDetails",
                    PhoneNumber=phone,
                    SendDate=day,
                    PageSize="50",
                    CurrentPage=str(page),
                )
                rows = (answer.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
                found = next((r for r in rows if r.get("OutId") == key), None)
                if found is not None:
                    return found
                if page * 50 >= int(answer.get("TotalCount") or 0):
                    break
        return None

    def status(self, key: str, *, phone: str = "", at: dt.datetime | None = None) -> bool:
        return self._find(key, phone, at) is not None

    def receipt(self, key: str, *, phone: str = "", at: dt.datetime | None = None):
        row = self._find(key, phone, at)
        if row is None:
            return None
        status = int(row.get("SendStatus") or 1)
        if status == 3:
            return Receipt(delivered=True)
        if status == 2:
            code = row.get("ErrCode", "")
            return Receipt(delivered=False, detail=reason(code, _("运营商未能送达")))
        return Receipt(delivered=None)


def _error_body(exc: HTTPError) -> dict:
    try:
        return json.loads(exc.read() or b"{}")
    except ValueError:
        return {}
