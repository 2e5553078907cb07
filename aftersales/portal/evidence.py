"""What evidence the customer may attach, as the file picker and portal.js check it
before anything is sent (the same types and limit as aftersales.disputes.evidence,
which judges the file itself)."""

from __future__ import annotations

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from aftersales.disputes.filetypes import ALLOWED_MEDIA, TEXT_EXTENSIONS


def accepted_types() -> tuple[list[str], list[str]]:
    types = sorted(t for media in ALLOWED_MEDIA.values() for t in media)
    endings = sorted(e for e in TEXT_EXTENSIONS if e)
    return types, endings


def evidence_widget_attrs() -> dict[str, str]:
    types, endings = accepted_types()
    return {
        "accept": ",".join(types + endings),
        "data-types": " ".join(types),
        "data-endings": " ".join(endings),
        "data-max-bytes": str(settings.EVIDENCE_MAX_BYTES),
        "data-too-big": _("文件太大，每个不能超过 %(size)s")
        % {"size": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
        "data-bad-type": _("不支持这种文件，请上传图片、视频、PDF 或文本文件"),
    }


def evidence_help() -> str:
    return _("可上传照片、视频、PDF 或文本文件，每个不超过 %(size)s，最多 9 个。") % {
        "size": filesizeformat(settings.EVIDENCE_MAX_BYTES)
    }
