"""The first-contact clock stops on the first recorded contact with the customer (issue
13: "first contact is a recorded call or message, not a side effect of another action"),
no longer on the handler's first lifecycle action (triage), as a new policy version.

The contact log (`aftersales.disputes.contacts.contact_record`) writes a
`customer_contacted` event; the SLA hears `event:customer_contacted`. Timers already
running keep the version they started under; those started from now on stop only on a
recorded contact."""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

CONTACTED = "event:customer_contacted"
TRIAGE = "action:triage"
NOTE = (
    "一般纠纷 30 分钟内首次联系顾客（直播带货细则）。以联系记录中的第一次通话或消息为准"
    "（event:customer_contacted）：首次联系是一次有记录的通话或消息，不是其他操作的附带结果。"
)
NOTE_BEFORE = (
    "一般纠纷 30 分钟内首次联系顾客。生命周期没有单独的“已联系”操作：以处理人的第一个"
    "操作“完成分类”（triage）为准；有了联系记录事件后改为该事件。"
)


def _kind_snapshot(kind) -> dict:
    return {
        "id": kind.pk,
        "code": kind.code,
        "name": kind.name,
        "start": kind.start_signal,
        "stops": list(kind.stop_signals),
        "limit": format(Decimal(kind.limit).normalize(), "f"),
        "unit": kind.unit,
        "pausable": kind.pausable,
        "active": kind.is_active,
        "categories": sorted(kind.categories),
        "severities": sorted(kind.severities),
        "channels": sorted(kind.channels),
    }


def _publish(apps, note: str) -> None:
    TimerKind = apps.get_model("sla", "TimerKind")
    PolicyLimit = apps.get_model("sla", "PolicyLimit")
    PolicyVersion = apps.get_model("sla", "PolicyVersion")
    latest = PolicyVersion.objects.order_by("-number").first()
    snapshot = {
        "kinds": [_kind_snapshot(k) for k in TimerKind.objects.order_by("position", "id")],
        "limits": [
            {
                "kind": r.kind.code,
                "limit": format(Decimal(r.limit).normalize(), "f"),
                "unit": r.unit,
                "category": r.category,
                "severity": r.severity,
                "channel": r.channel,
            }
            for r in PolicyLimit.objects.select_related("kind").order_by("id")
        ],
    }
    PolicyVersion.objects.create(
        number=(latest.number if latest else 0) + 1,
        snapshot=snapshot,
        note=note,
        created_at=timezone.now(),
    )


def forward(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    kind = TimerKind.objects.filter(code="first_contact").first()
    if kind is None:
        return
    # An admin may have added stops of their own: only triage gives way to the contact.
    stops = [s for s in kind.stop_signals if s != TRIAGE]
    if CONTACTED not in stops:
        stops.append(CONTACTED)
    kind.stop_signals = stops
    if kind.note == NOTE_BEFORE:
        kind.note = NOTE
    kind.save(update_fields=["stop_signals", "note"])
    _publish(apps, "首次联系顾客以联系记录为准（不再以完成分类为准）")


def backward(apps, schema_editor):
    TimerKind = apps.get_model("sla", "TimerKind")
    kind = TimerKind.objects.filter(code="first_contact").first()
    if kind is None:
        return
    stops = [s for s in kind.stop_signals if s != CONTACTED]
    if TRIAGE not in stops:
        stops.insert(0, TRIAGE)
    kind.stop_signals = stops
    if kind.note == NOTE:
        kind.note = NOTE_BEFORE
    kind.save(update_fields=["stop_signals", "note"])
    _publish(apps, "撤销：首次联系顾客恢复以完成分类为准")


class Migration(migrations.Migration):
    dependencies = [("sla", "0007_aftersale_kinds")]

    operations = [migrations.RunPython(forward, backward)]
