"""POST /api/v1/disputes/{number}/evidence: judged by content, stored once by SHA-256."""

import hashlib
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.disputes.models import Event, Evidence
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """A real, decodable PNG: signature, IHDR, one IDAT of grey pixels, IEND."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
CHAT_LOG = "顾客：热水器漏水了，地板都泡坏了。\n客服：非常抱歉，请您拍照上传。\n".encode()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dispute(db):
    return make_dispute()


@pytest.fixture
def client(agent, api_as):
    return api_as(agent)


def upload(client, dispute, name, content, content_type="application/octet-stream", **data):
    return client.upload(
        f"/api/v1/disputes/{dispute.number}/evidence",
        {"file": SimpleUploadedFile(name, content, content_type=content_type)},
        data=data,
    )


def evidence_events(dispute):
    return Event.objects.filter(dispute=dispute, kind=DisputeKind.EVIDENCE_ADDED)


@pytest.mark.parametrize(
    ("name", "content", "kind", "content_type"),
    [
        ("漏水照片.png", png_bytes(), "image", "image/png"),
        ("发票.pdf", PDF, "pdf", "application/pdf"),
        ("聊天记录.txt", CHAT_LOG, "text", "text/plain"),
        ("聊天记录", CHAT_LOG, "text", "text/plain"),
    ],
    ids=["png", "pdf", "text", "text-no-extension"],
)
def test_upload_records_hash_size_and_event(
    client, agent, dispute, media_root, name, content, kind, content_type
):
    response = upload(client, dispute, name, content, note="顾客提供")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["duplicate"] is False
    ev = body["evidence"]
    sha = hashlib.sha256(content).hexdigest()
    assert (ev["name"], ev["kind"], ev["content_type"]) == (name, kind, content_type)
    assert (ev["size"], ev["sha256"], ev["note"]) == (len(content), sha, "顾客提供")

    stored = Evidence.objects.get(pk=ev["id"])
    assert stored.uploaded_by == agent
    assert stored.file.name == f"evidence/{sha[:2]}/{sha}"
    assert (media_root / stored.file.name).read_bytes() == content

    (event,) = evidence_events(dispute)
    assert event.actor == agent
    assert event.payload["sha256"] == sha and event.payload["size"] == len(content)
    assert event.payload["evidence_id"] == stored.pk

    detail = client.get(f"/api/v1/disputes/{dispute.number}").json()
    assert [e["sha256"] for e in detail["evidence"]] == [sha]
    assert detail["timeline"][-1]["kind"] == "evidence_added"


def test_content_type_header_is_not_trusted(client, dispute):
    response = upload(client, dispute, "scan.png", png_bytes(), content_type="application/pdf")
    assert response.status_code == 201
    assert response.json()["evidence"]["content_type"] == "image/png"


def test_same_file_twice_is_stored_once(client, dispute):
    content = png_bytes(3, 3)
    first = upload(client, dispute, "a.png", content)
    second = upload(client, dispute, "copy-of-a.png", content)
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["evidence"]["id"] == first.json()["evidence"]["id"]
    assert second.json()["evidence"]["name"] == "a.png"
    assert Evidence.objects.filter(dispute=dispute).count() == 1
    assert evidence_events(dispute).count() == 1


def test_same_file_on_another_dispute_is_new_evidence(client, dispute):
    content = png_bytes()
    other = make_dispute()
    assert upload(client, dispute, "a.png", content).status_code == 201
    assert upload(client, other, "a.png", content).status_code == 201
    assert Evidence.objects.count() == 2


def test_different_files_are_both_kept(client, dispute):
    assert upload(client, dispute, "a.png", png_bytes(2, 2)).status_code == 201
    assert upload(client, dispute, "b.png", png_bytes(4, 4)).status_code == 201
    assert Evidence.objects.filter(dispute=dispute).count() == 2
    assert evidence_events(dispute).count() == 2


def assert_refused(response, status, code, dispute, media_root):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert error["fields"]["file"]
    assert Evidence.objects.filter(dispute=dispute).count() == 0
    assert evidence_events(dispute).count() == 0
    stored = list(media_root.rglob("*")) if media_root.exists() else []
    assert [p for p in stored if p.is_file()] == []
    return error


def test_executable_named_jpg_is_415(client, dispute, media_root):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
    response = upload(client, dispute, "photo.jpg", exe, content_type="image/jpeg")
    error = assert_refused(response, 415, "unsupported_type", dispute, media_root)
    assert "图片" in error["message"]


def test_zip_is_415(client, dispute, media_root):
    zipped = b"PK\x03\x04" + b"\x00" * 100
    response = upload(client, dispute, "evidence.zip", zipped)
    assert_refused(response, 415, "unsupported_type", dispute, media_root)


def test_text_named_jpg_is_type_mismatch(client, dispute, media_root):
    response = upload(client, dispute, "photo.jpg", CHAT_LOG, content_type="image/jpeg")
    error = assert_refused(response, 415, "type_mismatch", dispute, media_root)
    assert "photo.jpg" in error["message"]


def test_png_named_pdf_is_type_mismatch(client, dispute, media_root):
    response = upload(client, dispute, "invoice.pdf", png_bytes())
    assert_refused(response, 415, "type_mismatch", dispute, media_root)


def test_oversized_is_413(client, dispute, media_root, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    response = upload(client, dispute, "big.txt", "投诉".encode() * 400)  # 2400 bytes
    error = assert_refused(response, 413, "too_large", dispute, media_root)
    assert "1.0 KB" in error["message"]
    exactly = upload(client, dispute, "ok.txt", b"a" * 1024)
    assert exactly.status_code == 201


def test_empty_file_is_422(client, dispute, media_root):
    response = upload(client, dispute, "empty.png", b"")
    assert_refused(response, 422, "empty_file", dispute, media_root)


def test_missing_file_is_422(client, dispute):
    response = client.upload(f"/api/v1/disputes/{dispute.number}/evidence", {}, data={"note": "x"})
    assert response.status_code == 422
    assert "file" in response.json()["error"]["fields"]


def test_overlong_note_is_422(client, dispute, media_root):
    response = upload(client, dispute, "a.png", png_bytes(), note="长" * 501)
    assert response.status_code == 422
    assert "note" in response.json()["error"]["fields"]
    assert Evidence.objects.count() == 0


def test_supervisor_cannot_upload(api_as, dispute, media_root):
    supervisor = api_as(make_staff(Role.SUPERVISOR))
    response = upload(supervisor, dispute, "a.png", png_bytes())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert Evidence.objects.count() == 0


def test_upload_to_a_dispute_out_of_scope_is_404(api_as, dispute, media_root):
    outsider = api_as(make_staff(Role.AGENT, team=TeamFactory()))
    response = upload(outsider, dispute, "a.png", png_bytes())
    assert response.status_code == 404
    assert Evidence.objects.count() == 0
