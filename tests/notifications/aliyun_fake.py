"""A local fake of Aliyun SMS (Dysmsapi 2017-05-25) for the adapter's tests: a threading
http.server answering SendSms and QuerySendDetails in the shapes of Aliyun's published
API reference, after checking each request's POP v1 signature (HMAC-SHA1) the way the
documentation describes it — written here from the documentation, not with the
adapter's code.

    with AliyunFake() as fake:
        settings.AFTERSALES_SMS_ALIYUN_ENDPOINT = fake.url
        fake.fail_next(3, code="isv.BUSINESS_LIMIT_CONTROL")  # then answers OK
        ...
        fake.texts_for(key)  # what the provider took with that OutId

A number that is not a mainland mobile gets isv.MOBILE_NUMBER_ILLEGAL. `drop_after(n)`:
the n-th text from now is taken and the connection closed without an answer (a worker
that never learns the provider took it)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote_plus
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY_ID = "LTAI-fake-key-id"
SECRET = "fake-access-key-secret"
# The mainland mobile ranges operators give out (a 140… number is of the right shape
# but no one's).
MOBILE = re.compile(r"^1(3\d|4[5-9]|5[0-35-9]|6[2567]|7[0-8]|8\d|9[0-35-9])\d{8}$")
# HTTP status and answer of each kind of failure, as Aliyun gives them.
FAILURES = {
    "isv.BUSINESS_LIMIT_CONTROL": (200, "触发分钟级流控Permits:1"),
    "Throttling.User": (400, "Request was denied due to user flow control."),
    "ServiceUnavailable": (503, "The request has failed due to a temporary failure of the server."),
}


def percent(value: str) -> str:
    """The documentation's recipe: URL-encode (UTF-8), then + → %20, * → %2A, %7E → ~."""
    return (
        quote_plus(value, encoding="utf-8")
        .replace("+", "%20")
        .replace("*", "%2A")
        .replace("%7E", "~")
    )


def expected_signature(method: str, params: dict[str, str]) -> str:
    query = "&".join(f"{percent(k)}={percent(params[k])}" for k in sorted(params))
    string_to_sign = f"{method}&{percent('/')}&{percent(query)}"
    digest = hmac.new(f"{SECRET}&".encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunFake:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.sent: list[dict] = []  # every text taken, oldest first
        self.requests: list[dict] = []  # every request's parameters (signature checked)
        self.nonces: set[str] = set()
        self.failures: list[str] = []  # codes of the next SendSms answers
        self.drop_on: int = 0
        self.on_send = None  # called (in the server's thread) once a text is taken
        self.send_status = 3  # what QuerySendDetails says of a taken text
        self.err_code = "DELIVERED"
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self) -> AliyunFake:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- what the test tells it, and reads back ------------------------------------------

    def fail_next(self, n: int, *, code: str = "isv.BUSINESS_LIMIT_CONTROL") -> None:
        with self.lock:
            self.failures += [code] * n

    def drop_after(self, n: int) -> None:
        with self.lock:
            self.drop_on = n

    def texts_for(self, out_id: str) -> list[dict]:
        return [t for t in self.sent if t["OutId"] == out_id]

    def texts_of_message(self, message_id: int) -> list[dict]:
        return [t for t in self.sent if t["OutId"].startswith(f"outbound-{message_id}-")]

    def calls(self, action: str) -> int:
        return sum(r["Action"] == action for r in self.requests)

    # -- the API ---------------------------------------------------------------------------

    def answer(self, params: dict[str, str]) -> tuple[int, dict] | None:
        request_id = str(uuid.uuid4()).upper()
        signature = params.pop("Signature", "")
        if signature != expected_signature("POST", params) or params["AccessKeyId"] != KEY_ID:
            return 400, {
                "Code": "SignatureDoesNotMatch",
                "Message": "Specified signature is not matched with our calculation.",
                "RequestId": request_id,
            }
        stamp = dt.datetime.strptime(params["Timestamp"], "%Y-%m-%dT%H:%M:%SZ")
        if abs(dt.datetime.now(dt.UTC).replace(tzinfo=None) - stamp) > dt.timedelta(minutes=15):
            return 400, {"Code": "InvalidTimeStamp.Expired", "RequestId": request_id}
        with self.lock:
            if params["SignatureNonce"] in self.nonces:
                return 400, {"Code": "SignatureNonceUsed", "RequestId": request_id}
            self.nonces.add(params["SignatureNonce"])
            self.requests.append(dict(params))
        if params["Version"] != "2017-05-25" or params["SignatureMethod"] != "HMAC-SHA1":
            return 400, {"Code": "InvalidVersion", "RequestId": request_id}
        if params["Action"] == "SendSms":
            return self.send_sms(params, request_id)
        if params["Action"] == "QuerySendDetails":
            return self.query_send_details(params, request_id)
        return 404, {"Code": "InvalidAction.NotFound", "RequestId": request_id}

    def send_sms(self, params: dict[str, str], request_id: str) -> tuple[int, dict] | None:
        json.loads(params["TemplateParam"])  # must be JSON
        with self.lock:
            if self.failures:
                code = self.failures.pop(0)
                status, words = FAILURES[code]
                return status, {"Code": code, "Message": words, "RequestId": request_id}
            if not MOBILE.match(params["PhoneNumbers"]):
                return 200, {
                    "Code": "isv.MOBILE_NUMBER_ILLEGAL",
                    "Message": "非法手机号",
                    "RequestId": request_id,
                }
            biz_id = f"{len(self.sent) + 900619746936498440}^0"
            now = dt.datetime.now(SHANGHAI)
            self.sent.append({**params, "BizId": biz_id, "at": now})
            if self.on_send is not None:
                self.on_send(len(self.sent))
            if self.drop_on:
                self.drop_on -= 1
                if self.drop_on == 0:
                    return None  # taken; the connection drops before the answer
        return 200, {"Code": "OK", "BizId": biz_id, "RequestId": request_id, "Message": "OK"}

    def query_send_details(self, params: dict[str, str], request_id: str) -> tuple[int, dict]:
        size, page = int(params["PageSize"]), int(params["CurrentPage"])
        with self.lock:
            rows = [
                t
                for t in self.sent
                if t["PhoneNumbers"] == params["PhoneNumber"]
                and t["at"].strftime("%Y%m%d") == params["SendDate"]
            ]
        shown = rows[(page - 1) * size : page * size]
        details = [
            {
                "PhoneNum": t["PhoneNumbers"],
                "SendStatus": self.send_status,
                "ErrCode": self.err_code,
                "TemplateCode": t["TemplateCode"],
                "Content": f"【{t['SignName']}】{json.loads(t['TemplateParam'])['content']}",
                "SendDate": t["at"].strftime("%Y-%m-%d %H:%M:%S"),
                "ReceiveDate": t["at"].strftime("%Y-%m-%d %H:%M:%S"),
                "OutId": t["OutId"],
            }
            for t in shown
        ]
        return 200, {
            "Code": "OK",
            "Message": "OK",
            "RequestId": request_id,
            "TotalCount": len(rows),
            "SmsSendDetailDTOs": {"SmsSendDetailDTO": details},
        }

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                params = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
                answered = fake.answer(params)
                if answered is None:
                    self.close_connection = True
                    self.connection.close()
                    return
                status, body = answered
                data = json.dumps(body, ensure_ascii=False).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the caller died waiting

            def log_message(self, *args) -> None:
                pass

        return Handler
