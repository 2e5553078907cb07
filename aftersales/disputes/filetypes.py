"""What an uploaded file really is, judged by its bytes, not its name. Pure."""

import mimetypes
from dataclasses import dataclass

import filetype

ALLOWED_MEDIA = {
    "image": {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/bmp",
        "image/tiff",
        "image/heic",
        "image/heif",
        "image/avif",
    },
    "video": {
        "video/mp4",
        "video/quicktime",
        "video/webm",
        "video/x-msvideo",
        "video/x-matroska",
        "video/3gpp",
        "video/x-m4v",
        "video/mpeg",
        "video/x-flv",
    },
    "pdf": {"application/pdf"},
}
TEXT_EXTENSIONS = {".txt", ".text", ".log", ".csv", ".md", ".json", ""}


@dataclass(frozen=True)
class Sniffed:
    kind: str | None  # image | video | pdf | text | None (not an accepted type)
    content_type: str | None


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError:
            # The sample may end inside a multi-byte character.
            try:
                text = head[:-3].decode(encoding)
            except UnicodeDecodeError:
                continue
        printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
        return printable >= 0.95 * max(len(text), 1)
    return False


def sniff(head: bytes) -> Sniffed:
    """Judge the first bytes of a file (8 KiB is plenty)."""
    guess = filetype.guess(head)
    if guess is not None:
        for kind, media in ALLOWED_MEDIA.items():
            if guess.mime in media:
                return Sniffed(kind, guess.mime)
        return Sniffed(None, guess.mime)
    if _looks_like_text(head):
        return Sniffed("text", "text/plain")
    return Sniffed(None, None)


def declared_kind(filename: str) -> str | None:
    """The kind a file's name claims, or None when the name claims nothing we judge."""
    name = filename.lower()
    ext = name[name.rfind(".") :] if "." in name else ""
    if ext in TEXT_EXTENSIONS:
        return "text" if ext else None
    mime, _ = mimetypes.guess_type(name)
    if mime is None:
        return None
    if mime == "application/pdf":
        return "pdf"
    major = mime.split("/", 1)[0]
    if major in ("image", "video"):
        return major
    return "other"
