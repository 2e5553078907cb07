"""Issue 11 item 8: images are stored without their metadata (EXIF GPS position and the
rest), the hash of what was received stays on record beside the stored copy's, the API
says so, and staff can download the stored copy — each download on the timeline."""

import hashlib
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from aftersales.disputes.models import Event, Evidence
from aftersales.disputes.timeline import DisputeKind
from aftersales.parties.roles import Role
from tests.factories import TeamFactory, make_dispute, make_staff

pytestmark = pytest.mark.django_db

GPS = ExifTags.IFD.GPSInfo


def gps_exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "X1 serial 0042"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(GPS)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (31.0, 14.0, 9.0)  # 上海
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 28.0, 1.0)
    return exif


def photo(fmt: str = "JPEG", *, orientation: int | None = 6, **options) -> bytes:
    image = Image.new("RGB", (32, 24), (180, 40, 40))
    for x in range(32):
        image.putpixel((x, x % 24), (x * 8, 200, 10))
    out = io.BytesIO()
    image.save(out, fmt, exif=gps_exif(orientation), **options)
    return out.getvalue()


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


def upload(client, dispute, name, content):
    return client.upload(
        f"/api/v1/disputes/{dispute.number}/evidence",
        {"file": SimpleUploadedFile(name, content, content_type="image/jpeg")},
    )


def stored_image(media_root, evidence: Evidence) -> tuple[bytes, Image.Image]:
    data = (media_root / evidence.file.name).read_bytes()
    return data, Image.open(io.BytesIO(data))


def test_jpeg_is_stored_without_gps_and_the_received_hash_is_kept(client, dispute, media_root):
    received = photo(comment=b"taken at home", xmp=b"<x:xmpmeta>31.23N</x:xmpmeta>")
    assert Image.open(io.BytesIO(received)).getexif().get_ifd(GPS)  # the fixture has GPS

    response = upload(client, dispute, "漏水.jpg", received)
    assert response.status_code == 201, response.content
    ev = response.json()["evidence"]
    assert ev["sha256"] == hashlib.sha256(received).hexdigest()
    assert ev["size"] == len(received)
    assert ev["metadata_removed"] is True and ev["metadata_checked"] is True

    evidence = Evidence.objects.get(pk=ev["id"])
    data, image = stored_image(media_root, evidence)
    assert ev["stored_sha256"] == hashlib.sha256(data).hexdigest() != ev["sha256"]
    exif = image.getexif()
    assert dict(exif.get_ifd(GPS)) == {}
    assert dict(exif) == {ExifTags.Base.Orientation: 6}  # only how to turn it upright
    for secret in (b"PhoneMaker", b"serial 0042", b"taken at home", b"xmpmeta"):
        assert secret not in data
    # Not re-encoded: every pixel is what the customer sent.
    original = Image.open(io.BytesIO(received))
    assert image.tobytes() == original.tobytes()

    (event,) = Event.objects.filter(dispute=dispute, kind=DisputeKind.EVIDENCE_ADDED)
    assert event.payload["sha256"] == ev["sha256"]
    assert event.payload["stored_sha256"] == ev["stored_sha256"]
    assert event.payload["metadata_removed"] is True

    # The same photo again is recognised by what was received.
    again = upload(client, dispute, "copy.jpg", received)
    assert again.status_code == 200 and again.json()["duplicate"] is True


@pytest.mark.parametrize(("fmt", "name"), [("PNG", "截图.png"), ("WEBP", "照片.webp")])
def test_other_formats_lose_gps_too(client, dispute, media_root, fmt, name):
    received = photo(fmt, orientation=None)
    assert Image.open(io.BytesIO(received)).getexif().get_ifd(GPS)
    response = upload(client, dispute, name, received)
    assert response.status_code == 201, response.content
    ev = response.json()["evidence"]
    assert ev["metadata_removed"] is True
    data, image = stored_image(media_root, Evidence.objects.get(pk=ev["id"]))
    assert len(image.getexif()) == 0
    assert b"PhoneMaker" not in data
    assert ev["sha256"] == hashlib.sha256(received).hexdigest()


def test_image_without_metadata_is_stored_as_received(client, dispute, media_root):
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, "JPEG")
    received = out.getvalue()
    ev = upload(client, dispute, "plain.jpg", received).json()["evidence"]
    assert ev["metadata_removed"] is False and ev["metadata_checked"] is True
    assert ev["stored_sha256"] == ev["sha256"]
    data, _ = stored_image(media_root, Evidence.objects.get(pk=ev["id"]))
    assert data == received


def test_download_serves_the_cleaned_copy_and_is_recorded(client, agent, dispute, media_root):
    received = photo()
    ev = upload(client, dispute, "漏水.jpg", received).json()["evidence"]
    url = f"/api/v1/disputes/{dispute.number}/evidence/{ev['id']}"

    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == ev["stored_sha256"]
    assert dict(Image.open(io.BytesIO(body)).getexif().get_ifd(GPS)) == {}
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-SHA256"] == ev["stored_sha256"]
    assert response["X-Received-SHA256"] == hashlib.sha256(received).hexdigest()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "no-store"

    (viewed,) = Event.objects.filter(dispute=dispute, kind=DisputeKind.EVIDENCE_VIEWED)
    assert viewed.actor == agent
    assert viewed.payload["evidence_id"] == ev["id"]
    timeline = client.get(f"/api/v1/disputes/{dispute.number}").json()["timeline"]
    assert timeline[-1]["kind"] == "evidence_viewed"


def test_download_outside_scope_or_unknown_is_404_and_not_recorded(api_as, client, dispute):
    ev = upload(client, dispute, "漏水.jpg", photo()).json()["evidence"]
    outsider = api_as(make_staff(Role.AGENT, team=TeamFactory()))
    url = f"/api/v1/disputes/{dispute.number}/evidence/{ev['id']}"
    assert outsider.get(url).status_code == 404
    other = make_dispute()
    assert client.get(f"/api/v1/disputes/{other.number}/evidence/{ev['id']}").status_code == 404
    assert client.get(f"/api/v1/disputes/{dispute.number}/evidence/999999").status_code == 404
    assert client.client.get(url).status_code == 401  # no token
    assert not Event.objects.filter(kind=DisputeKind.EVIDENCE_VIEWED).exists()
