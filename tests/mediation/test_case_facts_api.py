"""PUT/GET /api/v1/disputes/{number}/facts: the findings the law needs, recorded with a
reason and evidence by the roles allowed to, merged, on the timeline — and what they do to
the dispute's entitlements (issue 10, observation 4). Orders come from the factories."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Event
from aftersales.mediation.models import CaseFact
from aftersales.mediation.timeline import MediationKind
from aftersales.parties.actors import SYSTEM
from aftersales.parties.models import Product
from aftersales.parties.roles import Role
from tests.api.test_evidence_api import png_bytes
from tests.factories import OrderFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

SIGNED = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # 03-03 20:00 in Shanghai
REASON = "质检报告与顾客提供的宣传页截图一致"
ADVERT = "详情页写着纯羊毛，收到后吊牌成分是腈纶，属于虚假宣传，要求退一赔三。"
PROMO = "直播间说下单立减100元，结算时没有减，要求退差价。"  # routed to operations, not QC
BIKE = "电动自行车修了两次还是骑到一半断电，要求换车或退车。"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team)


def dispute_with(
    *,
    claimed: str = "2025-03-20T10:00:00+08:00",
    price: str = "1999.00",
    received_at: datetime | None = SIGNED,
    description: str = "热水器用了三天就漏水，要求退货退款。",
    **product,
):
    order = OrderFactory(amount_paid=Decimal(price), received_at=received_at)
    if product:
        Product.objects.filter(order_lines__order=order).update(**product)
    return make_dispute(order, received_at=claimed, description=description)


def facts_url(dispute) -> str:
    return f"/api/v1/disputes/{dispute.number}/facts"


def record(client, dispute, facts, reason=REASON, **extra):
    return client.put(facts_url(dispute), {"facts": facts, "reason": reason, **extra})


def entitlements(client, dispute) -> dict:
    response = client.get(f"/api/v1/disputes/{dispute.number}/entitlements")
    assert response.status_code == 200, response.content
    return response.json()


def remedies(body) -> list[str]:
    return [e["remedy"] for e in body["entitlements"]]


def ask_department(client, dispute, department: str):
    response = client.post(
        f"/api/v1/disputes/{dispute.number}/tasks", {"department": department, "note": "协查"}
    )
    assert response.status_code == 201, response.content


def written(dispute) -> tuple[int, int]:
    return (
        CaseFact.objects.filter(dispute=dispute).count(),
        Event.objects.filter(dispute=dispute, kind=MediationKind.FACTS_RECORDED).count(),
    )


def photo(dispute):
    upload = SimpleUploadedFile("tag.png", png_bytes(), content_type="image/png")
    return evidence_add(dispute=dispute, upload=upload, actor=SYSTEM).evidence


# -- shape, merge, timeline -------------------------------------------------------------


def test_get_shows_every_fact_with_its_value_and_source(api_as, agent):
    dispute = dispute_with(price="1999.00")
    r = api_as(agent).get(facts_url(dispute))
    assert r.status_code == 200, r.content
    facts = r.json()["facts"]
    assert list(facts)[:4] == ["channel", "price", "received_on", "claim_on"]
    assert facts["channel"] == {"value": "online", "source": "order", "by": None, "at": None}
    assert facts["received_on"]["value"] == "2025-03-03"
    assert facts["claim_on"] == {"value": "2025-03-20", "source": "dispute", "by": None, "at": None}
    assert facts["three_guarantees"] == {
        "value": True,
        "source": "product",
        "by": None,
        "at": None,
    }
    assert facts["fraud"] == {"value": False, "source": "default", "by": None, "at": None}
    assert facts["loss"]["value"] == "0.00"


def test_a_put_merges_findings_and_answers_every_fact(api_as, lead):
    dispute = dispute_with()
    first = record(api_as(lead), dispute, {"loss": "600.00", "failed_repairs": 2})
    assert first.status_code == 200, first.content
    assert first.json()["changed"] == ["loss", "failed_repairs"]
    second = record(api_as(lead), dispute, {"failed_repairs": 3})
    body = second.json()
    assert body["changed"] == ["failed_repairs"]
    loss = body["facts"]["loss"]
    assert (loss["value"], loss["source"], loss["by"]) == ("600.00", "recorded", lead.username)
    assert loss["at"].endswith("+08:00")
    assert body["facts"]["failed_repairs"]["value"] == 3  # the newest value in force
    assert api_as(lead).get(facts_url(dispute)).json()["facts"] == body["facts"]
    assert CaseFact.objects.filter(dispute=dispute).count() == 3  # append-only history


def test_each_change_is_one_event_with_before_after_who_reason_and_evidence(api_as, lead):
    dispute = dispute_with()
    evidence = photo(dispute)
    record(api_as(lead), dispute, {"loss": "600.00"}, evidence_ids=[evidence.pk])
    record(api_as(lead), dispute, {"loss": "650.00", "received_on": "2025-03-04"})
    first, second = Event.objects.filter(dispute=dispute, kind="facts_recorded").order_by("id")
    assert first.actor == lead and first.reason == REASON
    assert first.payload["evidence_ids"] == [evidence.pk]
    assert first.payload["facts"]["loss"] == {
        "before": "0.00",
        "before_source": "default",
        "after": "600.00",
        "after_source": "recorded",
        "recorded": "600.00",
    }
    assert second.payload["facts"]["loss"]["before"] == "600.00"
    assert second.payload["facts"]["received_on"] == {
        "before": "2025-03-03",
        "before_source": "order",
        "after": "2025-03-04",
        "after_source": "recorded",
        "recorded": "2025-03-04",
    }
    timeline = api_as(lead).get(f"/api/v1/disputes/{dispute.number}").json()
    assert "facts_recorded" in {e["kind"] for e in timeline["timeline"]}


def test_a_put_that_changes_nothing_writes_nothing(api_as, lead):
    dispute = dispute_with()
    record(api_as(lead), dispute, {"loss": "600.00"})
    before = written(dispute)
    again = record(api_as(lead), dispute, {"loss": "600"})
    assert again.status_code == 200
    assert again.json()["changed"] == []
    assert written(dispute) == before


def test_null_withdraws_a_finding_and_the_order_speaks_again(api_as, agent):
    dispute = dispute_with()
    record(api_as(agent), dispute, {"received_on": "2025-03-10"})
    body = record(api_as(agent), dispute, {"received_on": None}).json()
    assert body["facts"]["received_on"]["value"] == "2025-03-03"
    assert body["facts"]["received_on"]["source"] == "order"


# -- bad input: a clear 4xx naming the field, nothing written ----------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"facts": {"failed_repairs": "2"}}, "facts.failed_repairs"),
        ({"facts": {"loss": "-600.00"}}, "facts.loss"),
        ({"facts": {"loss": True}}, "facts.loss"),
        ({"facts": {"loss": -1}}, "facts.loss"),
        ({"facts": {"fraud": "true"}}, "facts.fraud"),
        ({"facts": {"intact": 0}}, "facts.intact"),
        ({"facts": {"received_on": "2025-02-30"}}, "facts.received_on"),
        ({"facts": {"defect": "broken"}}, "facts.defect"),
        ({"facts": {"loss": "600.00", "failed_repairs": 1.5}}, "facts.failed_repairs"),
        ({"facts": {"fraud": True, "bogus": 1}}, "facts.bogus"),
        ({"facts": {}}, "facts"),
        ({"facts": [1]}, "facts"),
        ({}, "facts"),
        ({"facts": {"loss": "600.00"}, "reason": ""}, "reason"),
        ({"facts": {"loss": "600.00"}, "reason": "   "}, "reason"),
        ({"facts": {"loss": "600.00"}, "evidence_ids": [999999]}, "evidence_ids.0"),
        ({"facts": {"loss": "600.00"}, "evidence_ids": ["x"]}, "evidence_ids.0"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api_as, lead, body, field):
    dispute = dispute_with()
    body = {"reason": REASON} | body
    r = api_as(lead).put(facts_url(dispute), body)
    assert r.status_code == 422, r.content
    assert field in r.json()["error"]["fields"], r.json()
    assert written(dispute) == (0, 0)
    assert api_as(lead).get(facts_url(dispute)).json()["facts"]["loss"]["source"] == "default"


def test_the_messages_say_what_is_wrong(api_as, lead):
    dispute = dispute_with()
    fields = record(api_as(lead), dispute, {"failed_repairs": "2", "loss": "-1", "x": 1}).json()
    fields = fields["error"]["fields"]
    assert fields["facts.failed_repairs"] == '必须是非负整数（天数或次数），收到 "2"'
    assert fields["facts.loss"] == '不能为负数 "-1"'
    assert "fraud" in fields["facts.x"] and "failed_repairs" in fields["facts.x"]


def test_evidence_of_another_dispute_is_refused(api_as, lead):
    dispute, other = dispute_with(), dispute_with()
    foreign = photo(other)
    r = record(api_as(lead), dispute, {"loss": "1.00"}, evidence_ids=[foreign.pk])
    assert r.status_code == 422
    assert str(foreign.pk) in r.json()["error"]["fields"]["evidence_ids.0"]
    assert written(dispute) == (0, 0)


# -- who may record what ----------------------------------------------------------------


def test_an_agent_may_not_record_fraud_and_nothing_is_written(api_as, agent):
    dispute = dispute_with()
    r = record(api_as(agent), dispute, {"fraud": True, "failed_repairs": 1})
    assert r.status_code == 403
    assert set(r.json()["error"]["fields"]) == {"facts.fraud"}
    assert "fraud" in r.json()["error"]["message"]
    assert written(dispute) == (0, 0)


def test_legal_records_fraud_on_a_dispute_it_was_asked_to_review(api_as, agent):
    dispute = dispute_with()  # a leak: routing gives legal no task
    legal = make_staff(Role.LEGAL)
    assert record(api_as(legal), dispute, {"fraud": True}).status_code == 404  # not its case
    ask_department(api_as(agent), dispute, "legal")
    r = record(api_as(legal), dispute, {"fraud": True, "loss": "120.00"})
    assert r.status_code == 200, r.content
    assert r.json()["facts"]["fraud"]["by"] == legal.username
    assert record(api_as(legal), dispute, {"defect": "quality"}).status_code == 403


def test_quality_control_records_the_defect_but_not_the_loss(api_as, agent):
    dispute = dispute_with(description=PROMO)
    qc = make_staff(Role.QUALITY_CONTROL)
    ask_department(api_as(agent), dispute, "quality_control")
    assert record(api_as(qc), dispute, {"defect": "quality", "intact": False}).status_code == 200
    assert record(api_as(qc), dispute, {"loss": "10.00"}).status_code == 403


def test_someone_who_cannot_see_the_dispute_gets_404(api_as):
    dispute = dispute_with()
    outsider = make_staff(Role.OPERATIONS)
    assert api_as(outsider).get(facts_url(dispute)).status_code == 404
    assert record(api_as(outsider), dispute, {"fraud": True}).status_code == 404
    assert written(dispute) == (0, 0)


def test_an_admin_records_anything(api_as):
    dispute = dispute_with()
    admin = make_staff(Role.ADMIN)
    facts = {"fraud": True, "loss": "1.00", "defect": "quality", "claim_on": "2025-03-09"}
    assert record(api_as(admin), dispute, facts).status_code == 200


# -- the consequences: what the law gives once the facts are known ----------------------


def test_false_advertising_with_fraud_recorded_shows_cpl_55_damages(api_as, agent):
    dispute = dispute_with(price="129.00", claimed="2025-03-06T10:00:00+08:00", description=ADVERT)
    before = entitlements(api_as(agent), dispute)
    assert remedies(before) == ["return_no_reason"]  # the customer would pay the postage
    assert before["entitlements"][0]["shipping_paid_by"] == "consumer"

    # Routing sends false advertising to legal at intake; legal finds the fraud.
    assert dispute.tasks.filter(department="legal", state="open").exists()
    legal = make_staff(Role.LEGAL)
    assert record(api_as(legal), dispute, {"fraud": True}).status_code == 200
    body = entitlements(api_as(agent), dispute)
    assert body["sources"]["fraud"] == "recorded" and "fraud" not in body["assumed"]
    assert remedies(body) == ["return_no_reason", "return", "punitive_damages"]
    damages = body["entitlements"][2]
    assert damages["amount"] == "500.00"  # 3 × 129 = 387, at least 500
    assert "消费者权益保护法第五十五条第一款" in damages["basis"]
    refund = body["entitlements"][1]
    assert (refund["amount"], refund["shipping_paid_by"]) == ("129.00", "merchant")


def test_fraud_damages_are_three_times_a_higher_price(api_as):
    dispute = dispute_with(price="1000.00", description=ADVERT)
    admin = make_staff(Role.ADMIN)
    record(api_as(admin), dispute, {"fraud": True})
    body = entitlements(api_as(admin), dispute)
    (damages,) = [e for e in body["entitlements"] if e["remedy"] == "punitive_damages"]
    assert damages["amount"] == "3000.00"


def test_an_e_bike_after_two_failed_repairs_gets_exchange_or_return(api_as, agent, lead):
    dispute = dispute_with(
        claimed="2025-08-01T10:00:00+08:00",  # month 5, inside a year's 三包 validity
        description=BIKE,
        three_guarantees=True,
        warranty_days=365,
    )
    record(api_as(lead), dispute, {"defect": "performance_fault"})
    assert remedies(entitlements(api_as(agent), dispute)) == ["repair"]
    record(api_as(agent), dispute, {"failed_repairs": 2})
    body = entitlements(api_as(agent), dispute)
    assert body["sources"]["failed_repairs"] == "recorded"
    assert remedies(body) == ["return", "exchange"]
    assert "部分商品修理更换退货责任规定第十一条" in body["entitlements"][1]["basis"]


def test_a_car_after_two_failed_repairs_gets_exchange_or_return_under_the_car_rule(
    api_as, agent, lead
):
    dispute = dispute_with(
        price="150000.00",
        claimed="2025-09-01T10:00:00+08:00",
        description="新车刹车异响，4S店修了两次还是不行，要求换车。",
        three_guarantees=True,
        warranty_days=730,
    )
    record(api_as(agent), dispute, {"car": True})
    record(api_as(lead), dispute, {"defect": "performance_fault", "failed_repairs": 2})
    body = entitlements(api_as(agent), dispute)
    assert remedies(body) == ["return", "exchange"]
    assert all(
        "家用汽车产品修理更换退货责任规定第二十四条" in e["basis"] for e in body["entitlements"]
    )
    assert {n["code"] for n in body["notes"]} >= {"car_rules", "car_usage_fee"}
    windows = {w["code"]: w["last_day"] for w in body["windows"]}
    assert windows["car_validity"] == "2027-03-03"


def test_a_phone_past_its_sanbao_validity_shows_what_may_remain(api_as, agent, lead):
    dispute = dispute_with(
        claimed="2026-05-06T10:00:00+08:00",  # 14 months after signing
        description="手机用了一年多突然黑屏无法开机，要求免费换新。",
        three_guarantees=True,
        warranty_days=365,
    )
    record(api_as(lead), dispute, {"defect": "performance_fault"})
    body = entitlements(api_as(agent), dispute)
    assert body["entitlements"] == []
    (note,) = [n for n in body["notes"] if n["code"] == "after_sanbao_validity"]
    assert note["ref"] == "A4"
    assert "民法典第六百二十一条" in note["text"] and "第五百八十二条" in note["text"]
    assert "有争议" in note["text"]


def test_a_recorded_signing_date_lets_an_unsigned_order_be_judged(api_as, agent):
    dispute = dispute_with(received_at=None, claimed="2025-03-08T10:00:00+08:00")
    assert entitlements(api_as(agent), dispute)["evaluated"] is False
    record(api_as(agent), dispute, {"received_on": "2025-03-03"})
    body = entitlements(api_as(agent), dispute)
    assert body["evaluated"] is True and body["missing"] == {}
    assert body["sources"]["received_on"] == "recorded"
    assert remedies(body) == ["return_no_reason"]


def test_a_recorded_failed_repairs_overrides_the_orders_repairs(api_as, agent, lead):
    from tests.factories import make_failed_repairs

    dispute = dispute_with(claimed="2025-06-20T10:00:00+08:00")
    record(api_as(lead), dispute, {"defect": "performance_fault"})
    make_failed_repairs(dispute, 2, fault="更换主板")
    body = entitlements(api_as(agent), dispute)
    assert body["sources"]["failed_repairs"] == "repair_records"
    assert remedies(body) == ["return", "exchange"]

    # The second repair fixed a different fault: only one counts for 三包.
    record(api_as(agent), dispute, {"failed_repairs": 1})
    body = entitlements(api_as(agent), dispute)
    assert body["sources"]["failed_repairs"] == "recorded"
    assert remedies(body) == ["repair"]


def test_a_recorded_defect_outranks_the_qc_report(api_as, agent, lead):
    dispute = dispute_with(three_guarantees=False, description=PROMO)
    qc = make_staff(Role.QUALITY_CONTROL)
    ask_department(api_as(agent), dispute, "quality_control")
    tasks = api_as(agent).get(f"/api/v1/disputes/{dispute.number}/investigation").json()
    (task,) = [t for t in tasks["tasks"] if t["department"] == "quality_control"]
    report = {"text": "外观无损，功能正常。", "defect_found": False}
    r = api_as(qc).post(f"/api/v1/disputes/{dispute.number}/tasks/{task['id']}/report", report)
    assert r.status_code == 201, r.content
    facts = api_as(agent).get(facts_url(dispute)).json()["facts"]
    assert (facts["defect"]["value"], facts["defect"]["source"]) == ("none", "qc_report")
    assert facts["defect"]["by"] == qc.username

    record(api_as(lead), dispute, {"defect": "quality"}, reason="复检发现内胆裂纹")
    facts = api_as(agent).get(facts_url(dispute)).json()["facts"]
    assert (facts["defect"]["value"], facts["defect"]["source"]) == ("quality", "recorded")
