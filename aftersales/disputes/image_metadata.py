"""Metadata removed from uploaded images before they are stored: EXIF (GPS position, camera
serial number, time, thumbnails), XMP, IPTC, comments and trailing data. Pure: bytes in,
bytes out.

JPEG and PNG — nearly every phone photo and screenshot — are cleaned without touching a
pixel: their metadata segments and chunks are dropped from the byte stream, so the image
data is exactly what the customer sent. Only the EXIF orientation survives (a new EXIF
block holding that one tag), so a photo taken upright still shows upright. Other formats
Pillow reads (WebP, TIFF, GIF, BMP, AVIF) are re-encoded without metadata when they carry
any, the orientation applied to the pixels. What Pillow cannot read (HEIC) is stored as
received and reported as not checked."""

import io
import struct
import zlib
from dataclasses import dataclass

from PIL import Image, ImageOps

ORIENTATION = 0x0112
# Re-encoding decodes every pixel; beyond this an image is stored as received, unchecked.
MAX_PIXELS = 40_000_000


@dataclass(frozen=True)
class Cleaned:
    data: bytes
    removed: bool  # metadata was found and is not in `data`
    checked: bool  # the format was understood; False: `data` is the input, unchecked


class _Unreadable(ValueError):
    pass


def strip_metadata(data: bytes, content_type: str) -> Cleaned:
    try:
        if content_type == "image/jpeg":
            return _checked(_jpeg(data), data)
        if content_type == "image/png":
            return _checked(_png(data), data)
        return _reencoded(data)
    except (
        _Unreadable,
        OSError,
        ValueError,
        SyntaxError,
        struct.error,
        Image.DecompressionBombError,
    ):
        return Cleaned(data, removed=False, checked=False)


def _checked(cleaned: bytes, original: bytes) -> Cleaned:
    if cleaned == original:
        return Cleaned(original, removed=False, checked=True)
    Image.open(io.BytesIO(cleaned)).verify()  # still an image, or _Unreadable upstream
    return Cleaned(cleaned, removed=True, checked=True)


# --- JPEG: segments between SOI and the first scan --------------------------------------

_JPEG_KEEP_APP = {
    0xE0: (b"JFIF\x00",),  # JFIF header (not JFXX, which holds a thumbnail)
    0xE2: (b"ICC_PROFILE\x00",),  # colour profile (not MPF, which points at other images)
    0xEE: (b"Adobe",),  # colour transform of CMYK/YCCK images
}


def _jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise _Unreadable("not a JPEG")
    out = [b"\xff\xd8"]
    orientation_at: int | None = None
    orientation = 1
    i = 2
    while True:
        if i >= len(data) or data[i] != 0xFF:
            raise _Unreadable("marker expected")
        while i < len(data) and data[i] == 0xFF:  # fill bytes
            i += 1
        if i >= len(data):
            raise _Unreadable("truncated")
        marker = data[i]
        start = i - 1
        i += 1
        if marker == 0xD9:  # EOI before any scan
            out.append(b"\xff\xd9")
            break
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(bytes((0xFF, marker)))
            continue
        (length,) = struct.unpack(">H", data[i : i + 2])
        end = i + length
        if length < 2 or end > len(data):
            raise _Unreadable("bad segment length")
        body = data[i + 2 : end]
        if marker == 0xDA:  # start of scan: the image data follows, up to EOI
            eoi = data.rfind(b"\xff\xd9")
            if eoi < end:
                raise _Unreadable("no end of image")
            out.append(data[start : eoi + 2])  # anything after EOI is dropped
            break
        if 0xE0 <= marker <= 0xEF or marker == 0xFE:  # APPn and comments
            if marker == 0xE1 and body.startswith(b"Exif\x00\x00"):
                orientation = _exif_orientation(body) or orientation
                orientation_at = len(out)
            elif any(body.startswith(sig) for sig in _JPEG_KEEP_APP.get(marker, ())):
                out.append(data[start:end])
        else:  # tables, frame header, restart interval: the image itself
            out.append(data[start:end])
        i = end
    if orientation_at is not None and orientation != 1:
        out.insert(orientation_at, _app1_orientation(orientation))
    cleaned = b"".join(out)
    return data if cleaned == data else cleaned


def _exif_orientation(body: bytes) -> int | None:
    exif = Image.Exif()
    try:
        exif.load(body)
    except Exception:  # a broken EXIF block only loses its orientation
        return None
    value = exif.get(ORIENTATION)
    return value if isinstance(value, int) and 1 <= value <= 8 else None


def _orientation_exif(orientation: int) -> bytes:
    """b"Exif\\0\\0" and a TIFF block holding the one tag."""
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    return exif.tobytes()


def _app1_orientation(orientation: int) -> bytes:
    payload = _orientation_exif(orientation)
    return b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload


# --- PNG: chunks ------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Ancillary chunks that change how the image looks or animates; every other ancillary
# chunk (tEXt, zTXt, iTXt, eXIf, tIME and unknown ones) is metadata and goes.
_PNG_KEEP = {
    b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP", b"mDCV", b"cLLI",
    b"pHYs", b"bKGD", b"hIST", b"sPLT", b"acTL", b"fcTL", b"fdAT",
}  # fmt: skip


def _png(data: bytes) -> bytes:
    if not data.startswith(_PNG_SIGNATURE):
        raise _Unreadable("not a PNG")
    out = [_PNG_SIGNATURE]
    i = len(_PNG_SIGNATURE)
    while True:
        if i + 8 > len(data):
            raise _Unreadable("truncated")
        (length,) = struct.unpack(">I", data[i : i + 4])
        kind = data[i + 4 : i + 8]
        end = i + 12 + length
        if end > len(data):
            raise _Unreadable("truncated chunk")
        critical = kind[:1].isupper()
        if critical or kind in _PNG_KEEP:
            out.append(data[i:end])
        elif kind == b"eXIf":
            orientation = _exif_orientation(b"Exif\x00\x00" + data[i + 8 : end - 4])
            if orientation and orientation != 1:
                out.append(_png_chunk(b"eXIf", _orientation_exif(orientation)[6:]))
        i = end
        if kind == b"IEND":  # anything after IEND is dropped
            break
    cleaned = b"".join(out)
    return data if cleaned == data else cleaned


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


# --- everything else Pillow reads: re-encoded when it carries metadata -----------------

_INFO_METADATA = ("exif", "xmp", "XML:com.adobe.xmp", "comment", "photoshop", "iptc")
_FORMATS = {"WEBP", "TIFF", "GIF", "BMP", "AVIF"}


def _reencoded(data: bytes) -> Cleaned:
    try:
        image = Image.open(io.BytesIO(data))
    except Exception as exc:  # Pillow raises many kinds; all mean "cannot"
        raise _Unreadable(str(exc)) from None
    if image.format not in _FORMATS:
        raise _Unreadable(f"format {image.format}")
    if image.width * image.height > MAX_PIXELS:
        raise _Unreadable("too many pixels to re-encode")
    has_exif = len(image.getexif()) > 0
    if not has_exif and not any(image.info.get(key) for key in _INFO_METADATA):
        return Cleaned(data, removed=False, checked=True)
    options: dict = {}
    if image.info.get("icc_profile"):
        options["icc_profile"] = image.info["icc_profile"]
    if image.format == "WEBP":
        options["lossless"] = True  # the decoded pixels exactly; no second lossy pass
    elif image.format == "TIFF" and image.info.get("compression"):
        options["compression"] = image.info["compression"]
    frames = getattr(image, "n_frames", 1)
    target = image if frames > 1 else ImageOps.exif_transpose(image)
    for key in (*_INFO_METADATA, "exif"):  # encoders copy what `info` still holds
        target.info.pop(key, None)
    out = io.BytesIO()
    target.save(out, format=image.format, save_all=frames > 1, **options)
    return Cleaned(out.getvalue(), removed=True, checked=True)
