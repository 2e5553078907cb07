"""Issue 11 item 4, through HTTP as an attacker would: only administrators use /admin/;
evidence and the records the services write cannot be added, changed or deleted there,
and a dispute's category, severity, assignee and team are not editable there either
(the services that write the timeline are the only way)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Dispute, Event, Evidence, Task
from aftersales.notifications.models import OutboundMessage
from aftersales.parties.models import ApiToken, Team
from aftersales.parties.roles import Role
from aftersales.parties.services import token_create
from aftersales.sla.models import Timer
from tests.factories import make_dispute, make_staff

pytestmark = pytest.mark.django_db

PASSWORD = "pass-Word-123"  # tests.factories.make_staff
NOT_ADMINS = [Role.AGENT, Role.TEAM_LEAD, Role.SUPERVISOR, Role.FINANCE, Role.MANAGEMENT]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dispute(db):
    return make_dispute()


@pytest.fixture
def evidence(dispute):
    agent = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    upload = SimpleUploadedFile("chat.txt", "顾客：热水器漏水了。\n".encode(), "text/plain")
    return evidence_add(dispute=dispute, upload=upload, actor=agent).evidence


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(make_staff(Role.ADMIN))
    return client


def logged_in(role: Role) -> Client:
    client = Client()
    client.force_login(make_staff(role))
    return client


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_staff_who_are_not_administrators_are_turned_away(role, evidence):
    client = logged_in(role)
    for url in (
        "/admin/",
        "/admin/disputes/evidence/",
        f"/admin/disputes/evidence/{evidence.pk}/change/",
        "/admin/auth/user/",
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/admin/login/")
    page = client.get("/admin/login/?next=/admin/")
    assert page.status_code == 200
    assert "site-name" in page.content.decode() and "app-disputes" not in page.content.decode()


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_the_admin_login_refuses_them(role):
    user = make_staff(role)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "只有系统管理员可以登录后台管理" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_an_administrator_logs_in(db):
    user = make_staff(Role.ADMIN)
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", NOT_ADMINS)
def test_their_posts_to_the_admin_change_nothing(role, evidence, dispute):
    client = logged_in(role)
    other = make_dispute()
    delete = client.post(f"/admin/disputes/evidence/{evidence.pk}/delete/", {"post": "yes"})
    change = client.post(
        f"/admin/disputes/dispute/{dispute.pk}/change/", {"category": "other", "severity": "low"}
    )
    assert (delete.status_code, change.status_code) == (302, 302)
    evidence.refresh_from_db()
    assert evidence.dispute_id == dispute.pk and evidence.dispute_id != other.pk
    assert Dispute.objects.get(pk=dispute.pk).category == dispute.category


def test_evidence_cannot_be_deleted_or_re_pointed_even_by_an_administrator(
    admin_client, evidence, dispute
):
    other = make_dispute()
    url = f"/admin/disputes/evidence/{evidence.pk}"
    assert admin_client.post(f"{url}/delete/", {"post": "yes"}).status_code == 403
    assert admin_client.post(f"{url}/change/", {"dispute": other.pk}).status_code == 403
    listed = admin_client.post(
        "/admin/disputes/evidence/",
        {"action": "delete_selected", "_selected_action": [evidence.pk], "post": "yes"},
    )
    assert listed.status_code in (200, 302)
    assert admin_client.get("/admin/disputes/evidence/add/").status_code == 403
    evidence.refresh_from_db()
    assert evidence.dispute_id == dispute.pk
    assert Evidence.objects.filter(pk=evidence.pk).exists()
    # The administrator may still look at it.
    assert admin_client.get(f"{url}/change/").status_code == 200


def test_category_severity_assignee_and_team_are_not_edited_in_admin(admin_client, dispute):
    before = Dispute.objects.get(pk=dispute.pk)
    events = Event.objects.filter(dispute=dispute).count()
    lead = make_staff(Role.TEAM_LEAD)
    team = Team.objects.create(code="other", name="另一组")
    response = admin_client.post(
        f"/admin/disputes/dispute/{dispute.pk}/change/",
        {"category": "other", "severity": "low", "assignee": lead.pk, "team": team.pk},
    )
    assert response.status_code == 403
    after = Dispute.objects.get(pk=dispute.pk)
    fields = ("category", "severity", "assignee_id", "team_id", "version")
    assert [getattr(after, f) for f in fields] == [getattr(before, f) for f in fields]
    assert Event.objects.filter(dispute=dispute).count() == events
    page = admin_client.get(f"/admin/disputes/dispute/{dispute.pk}/change/")
    assert page.status_code == 200 and 'name="category"' not in page.content.decode()


def _dispute_records(dispute):
    """One record of each kind the services write around a dispute."""
    task = Task.objects.create(
        dispute=dispute, department="quality_control", kind="inspect", title="检测"
    )
    message = OutboundMessage.objects.filter(dispute=dispute).first()
    return {
        "disputes/event": Event.objects.filter(dispute=dispute).first(),
        "disputes/task": task,
        "notifications/outboundmessage": message,
        "sla/timer": Timer.objects.filter(dispute=dispute).first(),
    }


def test_records_the_services_write_are_read_only(admin_client, dispute):
    records = {k: v for k, v in _dispute_records(dispute).items() if v is not None}
    assert {"disputes/event", "disputes/task", "notifications/outboundmessage"} <= set(records)
    for path, record in records.items():
        url = f"/admin/{path}/{record.pk}"
        assert admin_client.post(f"{url}/delete/", {"post": "yes"}).status_code == 403, path
        assert admin_client.post(f"{url}/change/", {}).status_code == 403, path
        assert admin_client.get(f"/admin/{path}/add/").status_code == 403, path
        assert type(record).objects.filter(pk=record.pk).exists()
        assert admin_client.get(f"{url}/change/").status_code == 200, path


@pytest.mark.parametrize(
    "path",
    [
        "mediation/commitment",
        "mediation/proposal",
        "mediation/proposalapproval",
        "mediation/settlementagreement",
        "fulfilment/aftersaleorder",
        "fulfilment/payout",
        "fulfilment/returninspection",
        "fulfilment/repairrecord",
        "fulfilment/parcel",
        "sla/policyversion",
        "triage/modelversion",
        "triage/feedback",
        "triage/groupcomplaint",
        "notifications/outboundmessage",
        "disputes/dispute",
        "disputes/evidence",
    ],
)
def test_nothing_the_services_write_can_be_added_in_admin(admin_client, path):
    assert admin_client.get(f"/admin/{path}/add/").status_code == 403
    assert admin_client.get(f"/admin/{path}/").status_code == 200


def test_an_api_token_can_be_revoked_but_not_handed_to_someone_else(admin_client):
    owner = make_staff(Role.AGENT)
    thief = make_staff(Role.AGENT)
    token_create(user=owner)
    token = ApiToken.objects.get(user=owner)
    url = f"/admin/parties/apitoken/{token.pk}"
    assert admin_client.get("/admin/parties/apitoken/add/").status_code == 403
    assert admin_client.post(f"{url}/delete/", {"post": "yes"}).status_code == 403
    response = admin_client.post(
        f"{url}/change/",
        {"user": thief.pk, "label": "吊销", "revoked_at_0": "2026-01-05", "revoked_at_1": "10:00"},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.user_id == owner.pk and token.revoked_at is not None


def test_configuration_stays_editable(admin_client):
    for path in ("parties/team", "triage/routingrule", "sla/companyday", "sla/timerkind"):
        assert admin_client.get(f"/admin/{path}/add/").status_code == 200, path
