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
