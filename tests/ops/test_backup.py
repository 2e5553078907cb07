"""`aftersales backup` and `aftersales restore`: a database with disputes, their timeline
and evidence files, backed up, wiped and restored, comes back identical — the files
byte for byte; a restore refuses a database in use without --force and a backup that
does not match its manifest. On SQLite and (pg_dump/pg_restore) on PostgreSQL."""

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from aftersales.disputes.evidence import evidence_add
from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.parties.models import Team
from aftersales.parties.roles import Role
from aftersales.sla.models import Timer
from tests.factories import OrderFactory, make_dispute, make_staff, step

from .shared_db import AFTERSALES, process_env, shared_database

# Both tests rewrite the whole database, so they commit (and get the seed data back after).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CHAT = "顾客：热水器漏水了，地板都泡坏了。\n客服：请您拍照上传。\n".encode()


@pytest.fixture
def data_dir(settings, tmp_path):
    """The data folder as a deployment has it: evidence under media/, retrained models
    under triage-models/."""
    root = tmp_path / "data"
    settings.MEDIA_ROOT = root / "media"
    settings.TRIAGE_MODEL_STORE = root / "triage-models"
    model = settings.TRIAGE_MODEL_STORE / "20261201-0900" / "model.joblib"
    model.parent.mkdir(parents=True)
    model.write_bytes(bytes(range(256)) * 40)
    return root


def cases() -> list[Dispute]:
    """Two disputes with a timeline and evidence, the way staff make them."""
    agent = make_staff(Role.AGENT, team=Team.objects.get(is_default=True))
    made = []
    for files in (
        [("发票.pdf", PDF), ("聊天记录.txt", CHAT)],
        [("聊天记录.txt", CHAT + "顾客：今天还没人联系我。\n".encode())],
    ):
        dispute = make_dispute(OrderFactory(), actor=agent)
        for name, content in files:
            evidence_add(dispute=dispute, upload=SimpleUploadedFile(name, content), actor=agent)
        made.append(step(dispute, "triage", actor=agent))
    return made


def snapshot() -> list:
    """What a user would see again: each dispute, its timeline, timers and evidence, and
    the bytes of every evidence file."""
    return [
        (
            d,
            list(Event.objects.filter(dispute_id=d["id"]).order_by("pk").values()),
            list(Timer.objects.filter(dispute_id=d["id"]).order_by("pk").values()),
            [
                (e, Path(Evidence.objects.get(pk=e["id"]).file.path).read_bytes())
                for e in Evidence.objects.filter(dispute_id=d["id"]).order_by("pk").values()
            ],
        )
        for d in Dispute.objects.order_by("number").values()
    ]


def run(command: str, *args: str) -> str:
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def wipe(data_dir: Path) -> None:
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(data_dir)
    assert not Dispute.objects.exists()


def test_backup_wipe_restore_brings_back_disputes_timeline_and_files(data_dir, tmp_path):
    cases()
    before = snapshot()
    models_before = {
        p.relative_to(data_dir): p.read_bytes() for p in data_dir.rglob("*") if p.is_file()
    }
    output = run("backup", "--to", str(tmp_path / "backups"))
    backup = Path(output.splitlines()[-1])
    assert backup.parent == tmp_path / "backups" and backup.name.startswith("aftersales-backup-")

    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["counts"]["disputes"] == 2 and manifest["counts"]["evidence"] == 3
    assert "jobs.0002_worker_heartbeat" in manifest["migrations"]
    listed = {f["path"]: f for f in manifest["files"]}
    for evidence in Evidence.objects.all():
        entry = listed[f"media/{evidence.file.name}"]
        assert entry["sha256"] == evidence.sha256 and entry["bytes"] == evidence.size
    assert "triage-models/20261201-0900/model.joblib" in listed

    wipe(data_dir)
    output = run("restore", "--from", str(backup))
    assert "disputes 2" in output
    assert snapshot() == before
    assert {
        p.relative_to(data_dir): p.read_bytes() for p in data_dir.rglob("*") if p.is_file()
    } == models_before


def test_restore_refuses_a_database_in_use_without_force(data_dir, tmp_path):
    first, _second = cases()
    before = snapshot()
    backup = Path(run("backup", "--to", str(tmp_path), "--archive").splitlines()[-1])
    assert backup.name.endswith(".tar.gz") and backup.is_file()
    later = make_dispute(OrderFactory())  # taken in after the backup

    with pytest.raises(CommandError, match="--force"):
        run("restore", "--from", str(backup))
    assert Dispute.objects.filter(pk=later.pk).exists()  # nothing changed

    output = run("restore", "--from", str(backup), "--force")
    assert snapshot() == before
    assert not Dispute.objects.filter(number=later.number).exists()
    # The evidence folder that was replaced is kept aside, not deleted.
    (aside,) = data_dir.glob("media.before-restore-*")
    assert str(aside) in output and any(p.is_file() for p in aside.rglob("*"))
    assert Dispute.objects.get(pk=first.pk).status == first.status


def test_a_backup_that_does_not_match_its_manifest_is_refused(data_dir, tmp_path):
    cases()
    backup = Path(run("backup", "--to", str(tmp_path / "b")).splitlines()[-1])
    evidence = Evidence.objects.order_by("pk").first()
    changed = backup / "media" / evidence.file.name
    changed.write_bytes(changed.read_bytes() + b"tampered")
    wipe(data_dir)
    with pytest.raises(CommandError, match=f"changed: media/{evidence.file.name}"):
        run("restore", "--from", str(backup))
    assert not Dispute.objects.exists()  # the wiped database was left as it was
    (backup / "manifest.json").unlink()
    with pytest.raises(CommandError, match="manifest"):
        run("restore", "--from", str(backup))


def test_the_command_line_backs_up_and_restores_a_live_database(tmp_path):
    """The commands as an operator runs them, in their own processes, on a database file
    (SQLite in WAL mode) or server (PostgreSQL) — not this test's connection."""
    data_dir = tmp_path / "data"
    with shared_database(tmp_path) as url:
        env = process_env(url, data_dir)

        def aftersales(*args: str) -> str:
            done = subprocess.run(
                [str(AFTERSALES), *args],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                stdin=subprocess.DEVNULL,
            )
            assert done.returncode == 0, done.stderr
            return done.stdout

        (data_dir / "media" / "evidence").mkdir(parents=True)
        (data_dir / "media" / "evidence" / "x").write_bytes(PDF)
        backup = Path(aftersales("backup", "--to", str(tmp_path / "backups")).splitlines()[-1])
        manifest = json.loads((backup / "manifest.json").read_text())
        assert manifest["database"]["engine"] in ("sqlite", "postgresql")
        aftersales("flush", "--no-input")
        shutil.rmtree(data_dir / "media")
        aftersales("restore", "--from", str(backup))
        assert (data_dir / "media" / "evidence" / "x").read_bytes() == PDF
    # Back in this test's database: the seed data the restore brought back.
    assert Team.objects.filter(is_default=True).exists()
    assert manifest["counts"]["users"] == 0
