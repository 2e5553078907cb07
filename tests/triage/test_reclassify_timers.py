"""A correction that adds a department task starts that task's SLA timer: triage tells
the SLA through the disputes handler registry (it does not import the SLA app)."""

import pytest

from aftersales.disputes.models import Task
from aftersales.parties.actors import SYSTEM
from aftersales.sla.models import Timer, TimerKind
from aftersales.sla.services import timer_kind_save
from aftersales.triage.corrections import dispute_reclassify
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db


def test_a_reclassification_that_adds_a_qc_task_starts_its_timer():
    # An admin who wants the QC hour to run from the task's creation (the default runs it
    # from the handler's notice to QC, event:qc_notified).
    kind = TimerKind.objects.get(code="qc_report")
    kind.start_signal = "task:qc_inspection:created"
    timer_kind_save(kind=kind, actor=SYSTEM)
    d = make_dispute(description="快递一直没有送到，物流信息三天没有更新")
    assert d.category != "quality"
    assert not Task.objects.filter(dispute=d, kind="qc_inspection").exists()

    dispute_reclassify(
        dispute=d,
        actor=SYSTEM,
        version=d.version,
        reason="顾客补充：商品有裂纹",
        category="quality",
    )

    assert Task.objects.filter(dispute=d, kind="qc_inspection").exists()
    timer = Timer.objects.get(dispute=d, kind=kind)
    assert timer.state == Timer.State.RUNNING
