"""A complaint taken in with its evidence files (the workbench's 新建投诉 form): the dispute
and every file in one transaction, so a refused file leaves nothing behind — no dispute,
no evidence row, and no stored file (`files_removed_on_failure`)."""

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext as _

from aftersales.common.errors import DomainError
from aftersales.disputes.evidence import evidence_add, files_removed_on_failure
from aftersales.disputes.intake import IntakeRequest
from aftersales.disputes.models import Dispute

from .services import dispute_create


def dispute_create_with_evidence(
    *,
    request: IntakeRequest,
    actor,
    uploads: Iterable,
    intake_key: str | None = None,
    request_hash: str = "",
) -> tuple[Dispute, bool]:
    """`dispute_create`, then each upload through `evidence_add`. A replayed intake
    (created=False) attaches nothing: the first submission brought its files. A file
    refused raises its DomainError with the file's name before the problem, under the
    field `file`."""
    with files_removed_on_failure(), transaction.atomic():
        dispute, created = dispute_create(
            request=request, actor=actor, intake_key=intake_key, request_hash=request_hash
        )
        if created:
            for upload in uploads:
                _attach(dispute, upload, actor)
    return dispute, created


def _attach(dispute: Dispute, upload, actor) -> None:
    try:
        evidence_add(dispute=dispute, upload=upload, actor=actor)
    except DomainError as error:
        message = _("%(name)s：%(problem)s") % {
            "name": upload.name,
            "problem": error.fields.get("file") or error.message,
        }
        error.message, error.fields = message, {"file": message}
        raise
