"""The finance and logistics work lists (/api/v1/aftersale-orders/…): what each role
finds on them, in its scope, paginated and in a fixed number of queries; the XLSX export
opened with openpyxl."""

import datetime as dt
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from aftersales.disputes.models import Event
from aftersales.fulfilment import goods, payouts
from aftersales.fulfilment.aftersale_orders import aftersale_order_create, aftersale_step
from aftersales.parties.actors import SYSTEM
from aftersales.parties.roles import Role
from aftersales.sla.timers import timers_on_events
from tests.api.aftersale_helpers import REASON, client, executing
from tests.conftest import ApiClient
from tests.factories import TeamFactory, make_staff

pytestmark = pytest.mark.django_db
URL = "/api/v1/aftersale-orders"


def make(dispute, type_, **kw):
    return aftersale_order_create(dispute=dispute, type=type_, actor=SYSTEM, reason=REASON, **kw)


def returned(order, tracking="SF1000"):
    """The return leg through the services, as far as 买家已退货."""
    order = goods.return_address_send(order=order, actor=SYSTEM, address="上海市售后仓")
    return goods.return_ship(order=order, carrier="顺丰", tracking_no=tracking, actor=SYSTEM)


def heard_by_sla(dispute):
    """The SLA clocks of the orders' state events (finance_payout among them), as the
    SLA hears them; replaying events it heard already starts nothing new."""
    events = Event.objects.filter(dispute=dispute, kind="aftersale_state").order_by("at", "id")
    timers_on_events(dispute, list(events))


@pytest.fixture
def board(default_team):
    """One dispute with orders waiting on every list, and one payout done."""
    dispute = executing(return_shipping_insurance=True)
    week_ago = timezone.now() - dt.timedelta(days=7)
    due = make(dispute, "refund_shipped", amount="100.00")
    late = make(dispute, "price_protection", amount="20.00", at=week_ago)
    late = aftersale_step(order=late, action="finance_approve", actor=SYSTEM, at=week_ago)
    heard_by_sla(dispute)
    insured = returned(make(dispute, "return_refund", amount="500.00"), tracking="SF2000")
    insured = goods.return_receive(order=insured, actor=SYSTEM)
    goods.return_inspect(
        order=insured,
        passed=True,
        report="完好",
        good_quantity=1,
        defective_quantity=0,
        actor=SYSTEM,
    )
    aftersale_step(order=insured, action="finance_approve", actor=SYSTEM)
    payouts.payout_record(
        order=insured, reference="ALI-500", idempotency_key="board-500", actor=SYSTEM
    )
    exchange = returned(make(dispute, "exchange", replacement="新品"), tracking="SF3000")
    reship = make(dispute, "reship", replacement="配件")
    return {
        "dispute": dispute,
        "due": due,
        "late": late,
        "insured": insured,
        "exchange": exchange,
        "reship": reship,
    }


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content.decode()
    return [row["number"] for row in response.json()["items"]]


def test_finance_sees_payouts_due_overdue_and_done(board):
    finance = client(Role.FINANCE)
    due = finance.get(f"{URL}/payouts")
    assert numbers(due) == [board["late"].number, board["due"].number]
    rows = {r["number"]: r for r in due.json()["items"]}
    assert rows[board["due"].number]["amount"] == "100.00"
    assert rows[board["due"].number]["state_label"] == "待财审"
    assert rows[board["late"].number]["overdue"] is True
    assert rows[board["late"].number]["finance_due_at"] is not None
    assert rows[board["due"].number]["overdue"] is False
    assert numbers(finance.get(f"{URL}/payouts", status="overdue")) == [board["late"].number]
    done = finance.get(f"{URL}/payouts", status="done")
    assert numbers(done) == [board["insured"].number]
    row = done.json()["items"][0]
    assert (row["reference"], row["paid_amount"], row["payout_state"]) == (
        "ALI-500",
        "500.00",
        "paid",
    )
    today = timezone.localdate()
    assert numbers(finance.get(f"{URL}/payouts", status="done", **{"from": str(today)})) == [
        board["insured"].number
    ]
    tomorrow = str(today + dt.timedelta(days=1))
    assert numbers(finance.get(f"{URL}/payouts", status="done", **{"from": tomorrow})) == []


def test_logistics_sees_returns_and_shipments(board):
    logistics = client(Role.LOGISTICS)
    returns = logistics.get(f"{URL}/returns")
    assert numbers(returns) == [board["exchange"].number]
    row = returns.json()["items"][0]
    assert (row["carrier"], row["tracking_no"], row["quiet_days"]) == ("顺丰", "SF3000", 0)
    shipments = logistics.get(f"{URL}/shipments")
    assert numbers(shipments) == [board["reship"].number]
    assert shipments.json()["items"][0]["replacement"] == "配件"


def test_each_department_sees_only_its_lists(board):
    assert client(Role.LOGISTICS).get(f"{URL}/payouts").status_code == 403
    assert client(Role.FINANCE).get(f"{URL}/returns").status_code == 403
    assert client(Role.FINANCE).get(f"{URL}/shipments").status_code == 403
    # Handlers see the orders of their disputes; another team's agent sees none of them.
    assert len(numbers(client(Role.AGENT).get(f"{URL}/payouts"))) == 2
    stranger = ApiClient(make_staff(Role.AGENT, team=TeamFactory()))
    assert numbers(stranger.get(f"{URL}/payouts")) == []
    assert numbers(stranger.get(f"{URL}/returns")) == []
    # Readers see everything.
    assert len(numbers(client(Role.SUPERVISOR).get(f"{URL}/shipments"))) == 1


def test_insurance_payouts_expected(board):
    finance = client(Role.FINANCE)
    expected = finance.get(f"{URL}/insurance")
    assert numbers(expected) == [board["insured"].number]
    row = expected.json()["items"][0]
    assert row["insurance_expected_by"] is not None and row["missing"] is False
    assert numbers(finance.get(f"{URL}/insurance", status="missing")) == []
    assert numbers(finance.get(f"{URL}/insurance", status="paid")) == []


def test_bad_filters_name_the_field(board):
    finance = client(Role.FINANCE)
    for params, field in [
        ({"status": "soon"}, "status"),
        ({"page": 0}, "page"),
        ({"page_size": 500}, "page_size"),
        ({"format": "csv"}, "format"),
        ({"status": "done", "from": "2026-12-05", "to": "2026-12-01"}, "to"),
    ]:
        response = finance.get(f"{URL}/payouts", **params)
        assert response.status_code == 422, params
        assert field in response.json()["error"]["fields"], params


def test_pagination(board):
    finance = client(Role.FINANCE)
    first = finance.get(f"{URL}/payouts", page_size=1).json()
    second = finance.get(f"{URL}/payouts", page_size=1, page=2).json()
    assert (first["count"], first["pages"]) == (2, 2)
    assert [r["number"] for r in first["items"] + second["items"]] == [
        board["late"].number,
        board["due"].number,
    ]


def test_payouts_export_as_xlsx(board):
    finance = client(Role.FINANCE)
    response = finance.get(f"{URL}/payouts", format="xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith('attachment; filename="aftersale-payouts-due')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    for name in (
        "投诉编号",
        "售后单号",
        "售后类型",
        "内部状态",
        "平台状态",
        "应退金额",
        "实退金额",
        "退款渠道",
        "流水号",
        "预计到账",
    ):
        assert name in header
    assert len(rows) == 3
    by_number = {r[header.index("售后单号")]: r for r in rows[1:]}
    due = by_number[board["due"].number]
    assert due[header.index("投诉编号")] == board["dispute"].number
    assert due[header.index("售后类型")] == "已发货仅退款"
    assert due[header.index("内部状态")] == "待财审"
    assert due[header.index("应退金额")] == 100.0
    cell = sheet.cell(row=2, column=header.index("应退金额") + 1)
    assert cell.number_format == "0.00"
    late = by_number[board["late"].number]
    assert late[header.index("是否逾期")] == "是"


def test_done_export_times_in_shanghai(board):
    response = client(Role.FINANCE).get(f"{URL}/payouts", status="done", format="xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    paid_at = rows[1][header.index("打款时间")]
    assert isinstance(paid_at, dt.datetime) and paid_at.tzinfo is None
    local = timezone.localtime(board["insured"].payouts.get().paid_at).replace(tzinfo=None)
    assert abs((paid_at - local).total_seconds()) < 1
    assert rows[1][header.index("流水号")] == "ALI-500"
    assert rows[1][header.index("实退金额")] == 500.0


def test_returns_export(board):
    response = client(Role.LOGISTICS).get(f"{URL}/returns", format="xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert rows[1][header.index("退货物流单号")] == "SF3000"
    assert rows[1][header.index("无更新天数")] == 0


def count_queries(api, path, **params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(path, **params).status_code == 200
    return len(ctx)


def test_work_lists_read_in_a_fixed_number_of_queries(default_team):
    dispute = executing()
    finance, logistics = client(Role.FINANCE), client(Role.LOGISTICS)

    def add(n):
        for _ in range(n):
            make(dispute, "price_protection", amount="10.00")
            returned(make(dispute, "repair"), tracking=f"SF{timezone.now().timestamp():.0f}{_}")
            make(dispute, "reship")

    for api, path in ((finance, "payouts"), (logistics, "returns")):
        api.get(f"{URL}/{path}")  # the token's first use is recorded once
    add(2)
    few = [
        count_queries(finance, f"{URL}/payouts"),
        count_queries(logistics, f"{URL}/returns"),
        count_queries(logistics, f"{URL}/shipments"),
    ]
    add(8)
    many = [
        count_queries(finance, f"{URL}/payouts"),
        count_queries(logistics, f"{URL}/returns"),
        count_queries(logistics, f"{URL}/shipments"),
    ]
    assert few == many
    assert max(many) <= 12


def test_shipments_and_insurance_export(board):
    response = client(Role.LOGISTICS).get(f"{URL}/shipments", format="xlsx")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert rows[1][header.index("售后单号")] == board["reship"].number
    assert rows[1][header.index("换货/补发商品")] == "配件"
    response = client(Role.FINANCE).get(f"{URL}/insurance", format="xlsx")
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert "运费险预计理赔时间" in header
    assert rows[1][header.index("售后单号")] == board["insured"].number
    assert isinstance(rows[1][header.index("运费险预计理赔时间")], dt.datetime)
