"""One label mechanism (issue 11 item 18): codes are stored, labels are `TextChoices`
with gettext texts, shown in the reader's language, on the dispute and its timeline
alike; each vocabulary is defined once."""

import pytest
from django.utils import timezone, translation

from aftersales.disputes.models import Event
from aftersales.disputes.states import EscalationRoute, Status
from aftersales.disputes.taxonomy import Category, Severity
from aftersales.mediation import entitlements, investigation_rules, remedies
from aftersales.parties.models import Product
from aftersales.sla.timeline import BREACHED_MAJOR, crossing_event
from tests.conftest import intake_body

URL = "/api/v1/disputes"


@pytest.mark.django_db
def test_the_dispute_and_its_timeline_are_labelled_in_the_readers_language(agent, api_as, order):
    number = api_as(agent, language="en").post(URL, intake_body(order)).json()["number"]
    chinese = api_as(agent, language="zh-hans").get(f"{URL}/{number}").json()
    english = api_as(agent, language="en").get(f"{URL}/{number}").json()
    status = Status(chinese["status"])
    category = Category(chinese["category"])
    with translation.override("zh-hans"):
        assert chinese["status_label"] == str(status.label)
        assert chinese["category_label"] == str(category.label)
    intake = next(e for e in chinese["timeline"] if e["kind"] == "intake")
    assert intake["kind_label"] == "受理"
    # English from the catalogue (aftersales/locale/en): the same codes, other words.
    assert english["status"] == chinese["status"]
    with translation.override("en"):
        assert english["status_label"] == str(status.label)
        assert english["category_label"] == str(category.label)
        assert english["severity_label"] == str(Severity(english["severity"]).label)
    intake_en = next(e for e in english["timeline"] if e["kind"] == "intake")
    assert intake_en["kind_label"] == "Intake"
    assert english["status_label"] == "Received"


@pytest.mark.django_db
def test_an_sla_crossing_is_stored_as_a_code_and_read_in_each_language():
    from tests.factories import make_dispute

    dispute = make_dispute()
    due = timezone.now()
    event = crossing_event(
        dispute_id=dispute.pk,
        crossing="breached",
        timer=1,
        timer_kind="first_response",
        name="首次响应",
        due_at=due,
        major=True,
        at=due,
    )
    event.save()
    stored = Event.objects.get(pk=event.pk)
    assert stored.payload["reason_code"] == BREACHED_MAJOR.code
    assert stored.reason.startswith("“首次响应”已超时") and stored.reason.endswith("报告管理层")
    with translation.override("zh-hans"):
        assert stored.reason_text == stored.reason
        assert stored.kind_label == "超时"
    with translation.override("en"):
        assert stored.reason_text.startswith("“首次响应” has run out")
        assert stored.kind_label == "Time limit breached"


def test_each_vocabulary_is_defined_once():
    assert Product.GoodsKind is entitlements.GoodsKind
    assert remedies.Payer is entitlements.Payer
    deadlines = investigation_rules.EXTERNAL_DEADLINES
    assert all(type(deadline.route) is EscalationRoute for deadline in deadlines)
    assert [s.value for s in Status] == Status.values  # labels live on the choices
    with translation.override("zh-hans"):
        assert Severity.MAJOR.label == "重大"
    with translation.override("en"):
        assert Severity.MAJOR.label == "Major"
