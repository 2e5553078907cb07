"""The one timeline writer (`disputes.timeline`): every event is built by `new_event`,
which refuses kinds no app registered, keeps what people typed as typed and stores the
system's own texts as codes, shown to each reader in their language."""

import pytest
from django.utils import timezone

from aftersales.disputes.models import Event
from aftersales.disputes.timeline import (
    DUPLICATE_SAME_ORDER,
    DisputeKind,
    new_event,
    record,
    record_many,
)
from aftersales.disputes.timeline_registry import UnknownEventKind
from tests.conftest import intake_body
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db

URL = "/api/v1/disputes"


def _duplicate(timeline: list[dict]) -> dict:
    (flagged,) = [e for e in timeline if e["kind"] == "duplicate_flagged"]
    return flagged


def test_a_duplicate_flagged_in_english_reads_in_each_readers_language(agent, api_as, order):
    english = api_as(agent, language="en")
    first = english.post(URL, intake_body(order)).json()
    second = english.post(URL, intake_body(order, description="还是漏水，再次投诉")).json()
    assert second["duplicate_of"] == first["number"]
    number = second["number"]

    chinese = api_as(agent, language="zh-hans").get(f"{URL}/{number}").json()
    assert _duplicate(chinese["timeline"])["reason"] == f"同一订单已有未结投诉 {first['number']}"
    assert _duplicate(chinese["timeline"])["kind_label"] == "疑似重复"

    in_english = english.get(f"{URL}/{number}").json()
    assert _duplicate(in_english["timeline"])["reason"] == (
        f"The same order already has an open dispute, {first['number']}"
    )
    # The intake's own reply, too, speaks the language it was asked in.
    assert _duplicate(second["timeline"])["reason"].startswith("The same order")

    # Stored once, as a code with its parameters (and the site's language for SQL/admin).
    stored = Event.objects.get(dispute__number=number, kind="duplicate_flagged")
    assert stored.payload["reason_code"] == "disputes.duplicate_same_order"
    assert stored.payload["reason_params"] == {"number": first["number"]}
    assert stored.reason == f"同一订单已有未结投诉 {first['number']}"


def test_a_reason_a_person_typed_is_shown_as_typed_in_every_language(agent, api_as):
    dispute = make_dispute()
    record(
        DisputeKind.NOTE,
        dispute=dispute,
        actor=agent,
        reason="顾客电话里说下午再联系",
        at=timezone.now(),
    )
    for language in ("en", "zh-hans"):
        body = api_as(agent, language=language).get(f"{URL}/{dispute.number}").json()
        (note,) = [e for e in body["timeline"] if e["kind"] == "note"]
        assert note["reason"] == "顾客电话里说下午再联系"


def test_the_writer_refuses_a_kind_no_app_registered():
    dispute = make_dispute()
    before = Event.objects.count()
    with pytest.raises(UnknownEventKind):
        record("no_such_kind", dispute=dispute, at=timezone.now())
    assert Event.objects.count() == before


def test_one_event_and_many_are_written_by_the_same_builders(agent):
    dispute = make_dispute()
    now = timezone.now()
    one = record(DisputeKind.CONTACT_REVEALED, dispute=dispute, actor=agent, at=now)
    many = [
        new_event(
            DisputeKind.DUPLICATE_FLAGGED,
            dispute_id=dispute.pk,
            reason=DUPLICATE_SAME_ORDER(number=f"SH2026120500000{i}"),
            at=now,
        )
        for i in range(3)
    ]
    record_many(many)
    assert one.pk is not None and all(e.pk for e in many)
    assert one.actor_id == agent.pk and one.actor_label not in ("", "system")
    stored = list(dispute.events.filter(kind="duplicate_flagged").order_by("id"))
    assert [e.payload["reason_params"]["number"] for e in stored] == [
        f"SH2026120500000{i}" for i in range(3)
    ]
    assert all(e.actor_label == "system" for e in stored)
    with pytest.raises(RuntimeError):  # still immutable
        one.save()


def test_every_app_registers_its_own_kinds_and_no_migration_lists_them():
    from aftersales.disputes import services
    from aftersales.disputes.timeline_registry import event_kind, registered_kinds
    from aftersales.sla import signals

    owners = {k: type(member).__module__ for k, member in registered_kinds().items()}
    assert owners["intake"] == "aftersales.disputes.timeline"
    assert owners["classified"] == "aftersales.triage.timeline"
    assert owners["sla_breached"] == "aftersales.sla.timeline"
    assert owners["parcel_moved"] == "aftersales.fulfilment.timeline"
    assert owners["proposal_sent"] == "aftersales.mediation.timeline"
    assert owners["personal_data_erased"] == "aftersales.privacy.timeline"
    # Lower apps name higher apps' kinds by code: each code is one some app registered.
    named = [
        *signals.HOOKED_EVENT_KINDS,
        *signals.ESCALATION_EVENT_KINDS,
        services.CASE_MEETING,
        services.RESPONSIBILITY_DETERMINED,
    ]
    for code in named:
        event_kind(code)
    assert Event._meta.get_field("kind").choices is None


def test_a_group_flag_raised_in_english_reads_in_each_readers_language(agent, api_as):
    from aftersales.parties.models import OrderLine
    from aftersales.triage.timeline import GROUP_SIMILAR
    from tests.factories import OrderFactory, ProductFactory

    product = ProductFactory(name="轻薄羽绒服")
    english = api_as(agent, language="en")
    numbers = []
    texts = [
        "这批羽绒服跑绒特别严重，穿一天身上全是毛，洗了一次就结块了，要求退货。",
        "這批羽絨服跑絨特別嚴重，穿一天身上全是毛，洗了一次就結塊了！要求退貨退款",
    ]
    for text, phone in zip(texts, ("13600000001", "13600000002"), strict=True):
        order = OrderFactory(line=False)
        OrderLine.objects.create(
            order=order, product=product, quantity=1, unit_price=order.amount_paid
        )
        body = intake_body(order, description=text, customer={"name": "顾客", "phone": phone})
        numbers.append(english.post(URL, body).json()["number"])
    stored = Event.objects.get(dispute__number=numbers[1], kind="group_flagged")
    assert stored.payload["reason_code"] == GROUP_SIMILAR.code
    assert stored.reason == f"与其他顾客的投诉 {numbers[0]} 高度相似"

    def flagged(language):
        body = api_as(agent, language=language).get(f"{URL}/{numbers[1]}").json()
        (event,) = [e for e in body["timeline"] if e["kind"] == "group_flagged"]
        return event["reason"]

    assert flagged("zh-hans") == f"与其他顾客的投诉 {numbers[0]} 高度相似"
    assert flagged("en") == f"Nearly identical to another customer's dispute {numbers[0]}"


def test_the_workbench_shows_the_system_text_and_the_kind_label(agent, client, api_as, order):
    api = api_as(agent, language="en")
    first = api.post(URL, intake_body(order)).json()
    second = api.post(URL, intake_body(order, description="还是漏水，再次投诉")).json()
    client.force_login(agent)
    page = client.get(f"/workbench/disputes/{second['number']}/").content.decode()
    assert f"同一订单已有未结投诉 {first['number']}" in page
    assert "疑似重复" in page


def test_a_kind_an_app_adds_is_written_and_labelled_without_a_migration():
    from django.db.models import TextChoices
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from aftersales.disputes.timeline_registry import event_kinds

    @event_kinds
    class LaterKind(TextChoices):
        FOLLOWED_UP = "test_followed_up", gettext_lazy("回访")

    dispute = make_dispute()
    written = record(LaterKind.FOLLOWED_UP, dispute=dispute, at=timezone.now())
    stored = Event.objects.get(pk=written.pk)
    assert stored.kind == "test_followed_up"
    with translation.override("zh-hans"):
        assert stored.kind_label == "回访"
