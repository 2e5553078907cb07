"""The dispute page's own forms through Django's test client: lifecycle actions, contact
log, internal notes, assignment, reclassification, timers, reveal. Each writes its
timeline event when it succeeds; bad input answers 422 with what was typed kept and the
field marked; a role without the permission gets 403 and does not see the form; a stale
form answers 409 listing what changed since the user looked."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from aftersales.disputes.models import Dispute, Event
from aftersales.disputes.services import dispute_apply
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from tests.api.test_evidence_api import PDF, png_bytes
from tests.factories import TeamFactory, make_dispute, make_staff, step

pytestmark = pytest.mark.django_db


def page(dispute) -> str:
    return f"/workbench/disputes/{dispute.number}/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fresh(dispute) -> Dispute:
    return Dispute.objects.get(pk=dispute.pk)


def last_event_id(dispute) -> int:
    return Event.objects.filter(dispute=dispute).order_by("-id").values_list("id", flat=True)[0]


@pytest.fixture
def dispute(default_team, agent):
    return make_dispute(description="热水器用了三天就漏水，地板都泡坏了，要求退货退款。")


@pytest.fixture
def lead(default_team):
    return make_staff(Role.TEAM_LEAD, team=default_team, username="lead-core")


def post_action(client, dispute, action, **fields):
    d = fresh(dispute)
    data = {f"{action}-version": d.version, f"{action}-seen": last_event_id(d)}
    data.update({f"{action}-{k}": v for k, v in fields.items()})
    return client.post(f"{page(dispute)}actions/{action}", data)


# -- the page ----------------------------------------------------------------------------


def test_the_page_shows_header_clocks_signals_and_only_allowed_actions(dispute, agent):
    html = client_for(agent).get(page(dispute)).content.decode()
    assert dispute.number in html and "受理" in html
    # Clocks with a live countdown and their source.
    assert "首次联系顾客" in html and "data-due" in html and ">内部<" in html
    # The classification in words, not raw tokens.
    assert "与商品质量问题相符" in html or "提示" in html
    assert "模型:" not in html
    # From `received` only triage and withdraw are generic and allowed.
    assert f'action="/workbench/disputes/{dispute.number}/actions/triage"' in html
    assert "/actions/withdraw" in html
    assert "/actions/investigate" not in html and "/actions/close" not in html
    # Contact log and notes forms for an agent; the phone masked with a reveal button.
    assert "记录一次联系" in html and "内部备注" in html
    assert re.search(r'value="outbound"[^>]*checked', html)  # the usual case preselected
    assert "138****1234" in html and "显示完整号码" in html
    assert "13812341234" not in html


def test_management_sees_no_action_forms(dispute):
    html = client_for(make_staff(Role.MANAGEMENT)).get(page(dispute)).content.decode()
    assert "/actions/triage" not in html
    assert "记录一次联系" not in html
    assert "显示完整号码" not in html


# -- lifecycle actions -------------------------------------------------------------------


def test_triage_through_the_page_is_on_the_timeline(dispute, agent):
    response = post_action(client_for(agent), dispute, "triage")
    assert response.status_code == 302
    assert response["Location"].endswith("#actions")
    assert fresh(dispute).status == "triaged"
    assert Event.objects.filter(dispute=dispute, kind="action", action="triage").exists()


def test_reject_without_a_reason_keeps_what_was_typed(dispute, agent, lead):
    step(dispute, "triage", actor=agent)
    client = client_for(lead)
    response = post_action(client, dispute, "reject", ground="duplicate", duplicate_of="SH1")
    assert response.status_code == 422
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert 'value="SH1"' in html  # kept
    assert fresh(dispute).status == "triaged"
    response = post_action(
        client, dispute, "reject", ground="duplicate", duplicate_of="", reason="与 SH1 相同"
    )
    assert response.status_code == 422
    assert "重复投诉须填写原投诉编号" in response.content.decode()
    response = post_action(
        client, dispute, "reject", ground="duplicate", duplicate_of="SH1", reason="与 SH1 相同"
    )
    assert response.status_code == 302
    event = Event.objects.get(dispute=dispute, action="reject")
    assert event.payload == {"ground": "duplicate", "duplicate_of": "SH1"}


def test_withdraw_needs_the_customers_confirmation_time(default_team, agent):
    received = timezone.now() - dt.timedelta(hours=2)
    dispute = make_dispute(received_at=received.isoformat())
    client = client_for(agent)
    response = post_action(client, dispute, "withdraw", channel="phone", reason="顾客不再追究")
    assert response.status_code == 422
    assert 'id="id_withdraw-said_at_error"' in response.content.decode()
    said = timezone.localtime(received + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = post_action(
        client, dispute, "withdraw", channel="phone", said_at=said, reason="顾客不再追究"
    )
    assert response.status_code == 302
    assert fresh(dispute).status == "withdrawn"
    event = Event.objects.get(dispute=dispute, action="withdraw")
    assert event.payload["confirmation"]["channel"] == "phone"


def test_a_stale_form_answers_409_and_lists_what_changed(dispute, agent, lead):
    client = client_for(agent)
    d = fresh(dispute)
    seen = last_event_id(d)
    # The lead acts meanwhile.
    dispute_apply(dispute=d, action="triage", actor=lead, version=d.version, reason="已分类")
    response = client.post(
        f"{page(dispute)}actions/withdraw",
        {
            "withdraw-version": d.version,
            "withdraw-seen": seen,
            "withdraw-channel": "phone",
            "withdraw-said_at": "2026-01-01T10:00",
            "withdraw-reason": "顾客说算了",
        },
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "操作未完成：投诉在您查看之后已被更新" in html
    assert "完成分类" in html and "已分类" in html  # what changed, by whom
    assert "顾客说算了" in html  # what was typed is kept
    assert "Traceback" not in html
    # The form comes back on the current version: sent again, it goes through.
    assert f'name="withdraw-version" value="{fresh(dispute).version}"' in html
    # "刷新页面" opens the dispute page (not the form's POST-only address: 405).
    assert f'<a href="{page(dispute)}">刷新页面</a>' in html


def test_an_agent_may_not_close_through_the_page(dispute, agent):
    # A refused role gets 403 (and the page never offered the form).
    response = post_action(client_for(make_staff(Role.MANAGEMENT)), dispute, "triage")
    assert response.status_code == 403
    assert fresh(dispute).status == "received"


# -- contact log and notes ---------------------------------------------------------------


def test_recording_a_contact_stops_the_first_contact_clock(dispute, agent):
    client = client_for(agent)
    response = client.post(
        f"{page(dispute)}contacts/",
        {
            "contact-seen": last_event_id(dispute),
            "contact-channel": "phone",
            "contact-direction": "outbound",
            "contact-summary": "已致电顾客，请顾客上传漏水照片",
            "contact-outcome": "顾客同意",
        },
    )
    assert response.status_code == 302
    timer = Timer.objects.get(dispute=dispute, kind__code="first_contact")
    assert timer.state == "stopped"
    html = client.get(page(dispute)).content.decode()
    assert "已致电顾客，请顾客上传漏水照片" in html and "电话 · 我方联系顾客" in html


def test_a_contact_without_a_summary_keeps_the_rest(dispute, agent):
    response = client_for(agent).post(
        f"{page(dispute)}contacts/",
        {"contact-channel": "sms", "contact-direction": "inbound", "contact-outcome": "约明天"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="约明天"' in html
    assert 'value="sms" selected' in html
    assert 'id="id_contact-summary"' in html and 'aria-invalid="true"' in html
    assert not Event.objects.filter(dispute=dispute, kind="customer_contacted").exists()


def test_a_contact_in_the_future_is_refused_on_its_field(dispute, agent):
    response = client_for(agent).post(
        f"{page(dispute)}contacts/",
        {
            "contact-channel": "phone",
            "contact-direction": "outbound",
            "contact-summary": "x",
            "contact-at": "2099-01-01T10:00",
        },
    )
    assert response.status_code == 422
    assert "联系时间不能晚于现在" in response.content.decode()


def test_notes_are_added_and_refused_to_management(dispute, agent):
    response = client_for(agent).post(f"{page(dispute)}notes/", {"note-text": "顾客只接下午电话"})
    assert response.status_code == 302
    assert Event.objects.filter(dispute=dispute, kind="internal_note").count() == 1
    refused = client_for(make_staff(Role.MANAGEMENT)).post(
        f"{page(dispute)}notes/", {"note-text": "x"}
    )
    assert refused.status_code == 403
    empty = client_for(agent).post(f"{page(dispute)}notes/", {"note-text": "  "})
    assert empty.status_code == 422


def test_a_dispute_out_of_scope_is_404(dispute):
    outsider = make_staff(Role.AGENT, team=TeamFactory(code="team-z"))
    assert (
        client_for(outsider).post(f"{page(dispute)}notes/", {"note-text": "x"}).status_code == 404
    )


# -- assignment, reclassification, timers, reveal --------------------------------------


def test_a_lead_assigns_and_a_bad_assignee_is_marked(dispute, lead, agent, default_team):
    client = client_for(lead)
    d = fresh(dispute)
    other = make_staff(Role.AGENT, team=TeamFactory(code="team-q"))
    response = client.post(
        f"{page(dispute)}assignment",
        {
            "assign-version": d.version,
            "assign-team": default_team.code,
            "assign-assignee": other.username,
        },
    )
    assert response.status_code == 422
    assert "不是小组" in response.content.decode()
    response = client.post(
        f"{page(dispute)}assignment",
        {
            "assign-version": d.version,
            "assign-team": default_team.code,
            "assign-assignee": lead.username,
        },
    )
    assert response.status_code == 302
    assert fresh(dispute).assignee == lead
    assert Event.objects.filter(dispute=dispute, kind="assigned").exists()
    # Agents may not assign.
    assert client_for(agent).post(f"{page(dispute)}assignment", {}).status_code == 403


def test_reclassify_needs_a_reason(dispute, agent):
    client = client_for(agent)
    d = fresh(dispute)
    body = {
        "reclassify-version": d.version,
        "reclassify-category": "service",
        "reclassify-severity": "general",
    }
    assert client.post(f"{page(dispute)}classification", body).status_code == 422
    body["reclassify-reason"] = "顾客主要投诉客服态度"
    assert client.post(f"{page(dispute)}classification", body).status_code == 302
    assert fresh(dispute).category == "service"


def test_pausing_with_nothing_to_pause_is_shown_not_raised(dispute, agent):
    response = client_for(agent).post(f"{page(dispute)}timers/pause", {"pause-reason": "等照片"})
    assert response.status_code == 409
    assert "没有可以暂停的计时" in response.content.decode()


def test_reveal_is_logged_and_shows_the_number(dispute, agent):
    client = client_for(agent)
    response = client.post(f"{page(dispute)}contact/reveal", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "13812341234" in response.content.decode()
    assert Event.objects.filter(dispute=dispute, kind="contact_revealed", actor=agent).count() == 1
    plain = client.post(f"{page(dispute)}contact/reveal")
    assert plain.status_code == 200 and "13812341234" in plain.content.decode()
    qc = make_staff(Role.MANAGEMENT)
    assert client_for(qc).post(f"{page(dispute)}contact/reveal").status_code == 403


# -- evidence ----------------------------------------------------------------------------


def test_evidence_upload_preview_and_download(dispute, agent):
    client = client_for(agent)
    html = client.get(page(dispute)).content.decode()
    assert 'accept="' in html and "image/png" in html and "data-max-bytes" in html
    upload = SimpleUploadedFile("leak.png", png_bytes(), content_type="image/png")
    response = client.post(f"{page(dispute)}evidence/", {"evidence-file": upload})
    assert response.status_code == 302
    evidence = dispute.evidence.get()
    html = client.get(page(dispute)).content.decode()
    assert evidence.sha256 in html and "预览图片" in html
    download = client.get(f"{page(dispute)}evidence/{evidence.pk}")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    preview = client.get(f"{page(dispute)}evidence/{evidence.pk}?view=1")
    assert preview["Content-Disposition"].startswith("inline")
    assert Event.objects.filter(dispute=dispute, kind="evidence_viewed").count() == 2


def test_a_wrong_file_type_is_shown_on_the_field(dispute, agent):
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00" + b"\x00" * 64)
    response = client_for(agent).post(f"{page(dispute)}evidence/", {"evidence-file": upload})
    assert response.status_code == 422
    html = response.content.decode()
    assert "不支持的文件类型" in html and 'aria-invalid="true"' in html
    assert not dispute.evidence.exists()


def test_a_pdf_gets_a_link_and_management_no_upload_form(dispute, agent):
    upload = SimpleUploadedFile("invoice.pdf", PDF, content_type="application/pdf")
    assert (
        client_for(agent).post(f"{page(dispute)}evidence/", {"evidence-file": upload}).status_code
        == 302
    )
    html = client_for(make_staff(Role.MANAGEMENT)).get(page(dispute)).content.decode()
    assert "打开 PDF" in html and "上传证据" not in html


# -- case facts --------------------------------------------------------------------------


def test_a_lead_records_a_fact_with_its_reason(dispute, lead):
    client = client_for(lead)
    html = client.get(page(dispute)).content.decode()
    assert "记录案件事实" in html and "顾客损失金额" in html
    response = client.post(
        f"{page(dispute)}facts/",
        {"facts-name": "loss", "facts-value": "600.50", "facts-reason": "地板维修发票"},
    )
    assert response.status_code == 302
    assert Event.objects.filter(dispute=dispute, kind="facts_recorded").exists()


def test_a_wrong_fact_value_is_marked_and_kept(dispute, lead):
    response = client_for(lead).post(
        f"{page(dispute)}facts/",
        {"facts-name": "failed_repairs", "facts-value": "很多", "facts-reason": "维修记录"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="很多"' in html and 'id="id_facts-value_error"' in html
    assert not Event.objects.filter(dispute=dispute, kind="facts_recorded").exists()


def test_facts_a_role_may_not_record_are_not_offered(dispute, agent):
    # Agents record repair facts but not fraud; management records none.
    html = client_for(agent).get(page(dispute)).content.decode()
    assert '<option value="failed_repairs">' in html
    assert '<option value="fraud">' not in html
    refused = client_for(agent).post(
        f"{page(dispute)}facts/", {"facts-name": "fraud", "facts-value": "是", "facts-reason": "x"}
    )
    assert refused.status_code == 422  # not a choice offered to them
    management = client_for(make_staff(Role.MANAGEMENT))
    assert "记录案件事实" not in management.get(page(dispute)).content.decode()
    response = management.post(
        f"{page(dispute)}facts/", {"facts-name": "fraud", "facts-value": "是", "facts-reason": "x"}
    )
    assert response.status_code == 403
    assert not Event.objects.filter(dispute=dispute, kind="facts_recorded").exists()
