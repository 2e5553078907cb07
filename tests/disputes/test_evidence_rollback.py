"""A stored evidence file outlives no rolled-back row: an intake whose later file is refused,
or an upload whose write fails after the file reached the disk, leaves neither the rows
nor the file in MEDIA_ROOT; a file whose row was committed stays."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError

from aftersales.common.errors import UnsupportedMediaType
from aftersales.disputes import evidence as evidence_module
from aftersales.disputes.evidence import evidence_add, files_removed_on_failure
from aftersales.disputes.intake import validate_intake
from aftersales.disputes.models import Dispute, Event, Evidence
from aftersales.disputes.timeline import DisputeKind
from aftersales.intake.evidence import dispute_create_with_evidence
from tests.api.test_evidence_api import CHAT_LOG, png_bytes
from tests.conftest import intake_body
from tests.factories import make_dispute

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def stored_files(media_root) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def photo(name: str = "漏水.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def program() -> SimpleUploadedFile:
    return SimpleUploadedFile("发票.exe", b"MZ\x90\x00" + b"\x00" * 200, content_type="x/y")


def test_an_intake_with_its_files_keeps_the_dispute_rows_and_files(agent, order, media_root):
    log = SimpleUploadedFile("聊天记录.txt", CHAT_LOG, content_type="text/plain")
    dispute, created = dispute_create_with_evidence(
        request=validate_intake(intake_body(order)), actor=agent, uploads=[photo(), log]
    )

    assert created
    kept = Evidence.objects.filter(dispute=dispute)
    assert sorted(e.original_name for e in kept) == ["漏水.png", "聊天记录.txt"]
    assert stored_files(media_root) == sorted(e.file.name for e in kept)


def test_an_intake_whose_later_file_is_refused_leaves_no_dispute_row_or_file(
    agent, order, media_root
):
    with pytest.raises(UnsupportedMediaType) as refused:
        dispute_create_with_evidence(
            request=validate_intake(intake_body(order)),
            actor=agent,
            uploads=[photo(), program()],  # the photo is on disk when the program is refused
        )

    assert refused.value.fields["file"].startswith("发票.exe：")
    assert not Dispute.objects.exists()
    assert not Evidence.objects.exists()
    assert stored_files(media_root) == []


def test_an_upload_failing_after_its_file_was_written_leaves_no_row_or_file(
    agent, media_root, monkeypatch
):
    dispute = make_dispute()

    def lost_connection(*args, **kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(evidence_module, "record", lost_connection)
    with pytest.raises(DatabaseError):
        evidence_add(dispute=dispute, upload=photo(), actor=agent)

    assert not Evidence.objects.filter(dispute=dispute).exists()
    assert not Event.objects.filter(dispute=dispute, kind=DisputeKind.EVIDENCE_ADDED).exists()
    assert stored_files(media_root) == []


def test_a_file_whose_row_was_committed_stays_when_a_later_step_fails(
    agent, media_root, django_capture_on_commit_callbacks
):
    dispute = make_dispute()

    with pytest.raises(RuntimeError), files_removed_on_failure():
        with django_capture_on_commit_callbacks(execute=True):  # the upload commits
            added = evidence_add(dispute=dispute, upload=photo(), actor=agent)
        raise RuntimeError("a later step of the caller failed")

    assert stored_files(media_root) == [added.evidence.file.name]
    assert Evidence.objects.filter(dispute=dispute).count() == 1
