"""Evidence uploads: checked by content and size, stored once per dispute by the SHA-256
of the bytes received. Images are stored without their metadata (EXIF location and the
rest, aftersales.disputes.image_metadata): the received hash stays on record, and the
stored copy's hash is recorded beside it. Staff reading a file is on the timeline.

A stored file outlives no rolled-back row: `files_removed_on_failure` deletes the files
written inside it when it ends in an exception (Django has no rollback hook)."""

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.common.errors import (
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from aftersales.common.text import clean_text
from aftersales.parties.actors import user_of

from .access_log import read_record
from .filetypes import declared_kind, sniff
from .image_metadata import strip_metadata
from .models import Dispute, Evidence
from .permissions import can_add_evidence
from .timeline import DisputeKind, record

logger = logging.getLogger(__name__)
SNIFF_BYTES = 8192


@dataclass
class _Stored:
    storage: Storage
    name: str
    committed: bool = False  # its row is committed: the file stays, whatever comes after


# The files written inside the innermost `files_removed_on_failure` block.
_written: ContextVar[list[_Stored] | None] = ContextVar("evidence_written", default=None)


@contextmanager
def files_removed_on_failure() -> Iterator[None]:
    """Around a transaction that stores evidence (`with files_removed_on_failure(),
    transaction.atomic():`): when the block raises, the transaction rolled back and no
    row names the files written inside it, so they are deleted. A block that ends well
    hands its files to the enclosing one, whose transaction may still roll back; a file
    whose transaction committed is never deleted."""
    written: list[_Stored] = []
    token = _written.set(written)
    try:
        yield
    except BaseException:
        for stored in written:
            if stored.committed:
                continue
            try:
                stored.storage.delete(stored.name)
            except OSError:  # the caller's error matters more; the file is logged
                logger.warning("evidence file %s left behind by a rollback", stored.name)
        raise
    finally:
        _written.reset(token)
    enclosing = _written.get()
    if enclosing is not None:
        enclosing.extend(written)


@dataclass(frozen=True)
class EvidenceResult:
    evidence: Evidence
    duplicate: bool


def evidence_add(*, dispute: Dispute, upload, actor, note: str = "") -> EvidenceResult:
    """Store an uploaded file as evidence on a dispute. The same bytes twice on one
    dispute are reported as a duplicate and stored once."""
    if not can_add_evidence(actor, dispute):
        raise Forbidden(_("您没有为该投诉上传证据的权限"))
    limit = settings.EVIDENCE_MAX_BYTES
    size = upload.size
    if size == 0:
        raise ValidationFailed(_("文件是空的"), code="empty_file", fields={"file": _("文件是空的")})
    if size > limit:
        message = _("文件过大（%(size)s），上限为 %(limit)s") % {
            "size": _human(size),
            "limit": _human(limit),
        }
        raise PayloadTooLarge(message, fields={"file": message})
    note = clean_text(note)
    if len(note) > 500:
        raise ValidationFailed(
            _("说明不能超过 500 个字符"), fields={"note": _("说明不能超过 500 个字符")}
        )

    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    sniffed = sniff(head)
    name = clean_text((upload.name or "file").rsplit("/", 1)[-1], multiline=False)[:255] or "file"
    if sniffed.kind is None:
        message = _("不支持的文件类型（按内容识别为 %(type)s）；只接受图片、视频、PDF 和纯文本") % {
            "type": sniffed.content_type or _("未知")
        }
        raise UnsupportedMediaType(message, fields={"file": message})
    claimed = declared_kind(name)
    if claimed is not None and claimed != sniffed.kind:
        message = _("文件内容与文件名不符：“%(name)s”实际是 %(type)s") % {
            "name": name,
            "type": sniffed.content_type,
        }
        raise UnsupportedMediaType(message, code="type_mismatch", fields={"file": message})

    digest = hashlib.sha256(head)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    sha256 = digest.hexdigest()

    existing = Evidence.objects.filter(dispute=dispute, sha256=sha256).first()
    if existing is not None:
        return EvidenceResult(existing, duplicate=True)
    upload.seek(0)
    content: File = File(upload)
    stored_sha256, removed, checked = sha256, False, False
    if sniffed.kind == Evidence.Kind.IMAGE:
        cleaned = strip_metadata(upload.read(), sniffed.content_type)
        content = ContentFile(cleaned.data)
        stored_sha256 = hashlib.sha256(cleaned.data).hexdigest()
        removed, checked = cleaned.removed, cleaned.checked
    try:
        with files_removed_on_failure(), transaction.atomic():
            evidence = Evidence(
                dispute=dispute,
                original_name=name,
                kind=sniffed.kind,
                content_type=sniffed.content_type,
                size=size,
                sha256=sha256,
                stored_sha256=stored_sha256,
                metadata_removed=removed,
                metadata_checked=checked,
                note=note,
                uploaded_by=user_of(actor),
            )
            evidence.file.save(stored_sha256, content, save=False)
            _note_written(evidence.file.storage, evidence.file.name)
            evidence.save()
            record(
                DisputeKind.EVIDENCE_ADDED,
                dispute=dispute,
                actor=actor,
                payload={
                    "evidence_id": evidence.pk,
                    "name": name,
                    "kind": sniffed.kind,
                    "content_type": sniffed.content_type,
                    "size": size,
                    "sha256": sha256,
                    "stored_sha256": stored_sha256,
                    "metadata_removed": removed,
                    "metadata_checked": checked,
                },
                at=timezone.now(),
            )
    except IntegrityError:  # the same file uploaded concurrently
        return EvidenceResult(Evidence.objects.get(dispute=dispute, sha256=sha256), duplicate=True)
    return EvidenceResult(evidence, duplicate=False)


def _note_written(storage: Storage, name: str) -> None:
    written = _written.get()
    if written is None:
        return
    stored = _Stored(storage, name)
    written.append(stored)
    transaction.on_commit(lambda: setattr(stored, "committed", True))


def evidence_get(*, dispute: Dispute, evidence_id: int) -> Evidence:
    """One evidence file of a dispute the caller may already view; 404 otherwise."""
    evidence = Evidence.objects.filter(dispute=dispute, pk=evidence_id).first()
    if (
        evidence is None
        or not evidence.file
        or not evidence.file.storage.exists(evidence.file.name)
    ):
        raise NotFound(_("找不到证据 %(id)s") % {"id": evidence_id})
    return evidence


def evidence_read(*, evidence: Evidence, actor) -> None:
    """Record that a staff member opened an evidence file (who, which file, which hash);
    the caller has checked they may view the dispute."""
    read_record(
        dispute_id=evidence.dispute_id,
        kind=DisputeKind.EVIDENCE_VIEWED,
        actor=actor,
        payload={
            "evidence_id": evidence.pk,
            "name": evidence.original_name,
            "stored_sha256": evidence.stored_sha256,
        },
    )


def _human(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1024 / 1024:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} B"
