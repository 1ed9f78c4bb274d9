"""Bytes -> text. UTF-8 (with or without BOM), UTF-16 (Excel "Unicode text"), Windows-1250 and ISO-8859-2.

DuckDB 2.0 reads only UTF-8, UTF-16 and Latin-1 without its `encodings` extension, so every file is decoded
here and handed on as text: Serbian letters (Č Ć Š Ž Đ) survive whichever way the file was saved.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from indicators.ingest.errors import UploadError

ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "windows-1250", "iso-8859-2")
_C1 = bytes(range(0x80, 0xA0))  # control characters in ISO-8859-2, letters (Š Ž š ž ...) in Windows-1250
_ISO_ONLY = bytes([0xA9, 0xAE, 0xB9, 0xBE])  # Š Ž š ž in ISO-8859-2 (©, ®, ą, ľ in Windows-1250)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def detect_encoding(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if len(head) >= 4 and head.count(0) >= len(head) // 4:
        # UTF-16 without a BOM: every other byte of ASCII text is zero
        return "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
    if data.isascii():  # most big files: valid UTF-8 without decoding them twice
        return "utf-8"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    if any(byte in _C1 for byte in data):
        return "windows-1250"
    if any(byte in _ISO_ONLY for byte in data):
        return "iso-8859-2"
    return "windows-1250"


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\r\n\x0c")
    return "\x00" in sample or controls > len(sample) // 100 + 1


def _refuse_mixed(data: bytes, detected: str) -> None:
    """A UTF-8 file with a line pasted from a Windows-1250 one is not UTF-8, and read as Windows-1250 its UTF-8
    letters turn into others (Č -> ÄŚ) without a word. When the letters that are valid UTF-8 are at least as
    many as the bytes that are not (a genuine Windows-1250 file has almost none), refuse, naming the line."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if good < 2 or good < bad:
        return
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        name = {"windows-1250": "Windows-1250", "iso-8859-2": "ISO-8859-2"}[detected]
        raise UploadError(
            f"The file mixes encodings: it is UTF-8 but line {line} is not (byte {error.start}; perhaps pasted from "
            f"a {name} file). Save the whole file as UTF-8 (or, on the Upload page, choose an encoding under Detected "
            "settings)."
        ) from None


def decode(data: bytes, encoding: str | None = None) -> Decoded:
    """Decode a file's bytes; ``encoding`` overrides detection. Raises UploadError for empty or binary files."""
    if not data or data.isspace():  # not data.strip(): no copy of a big file
        raise UploadError("The file is empty.")
    chosen = (encoding or "auto").lower()
    if chosen == "auto":
        chosen = detect_encoding(data)
        if chosen in ("windows-1250", "iso-8859-2"):
            _refuse_mixed(data, chosen)
    if chosen == "utf-8" and data.startswith(codecs.BOM_UTF8):
        chosen = "utf-8-sig"
    try:
        text = data.decode(chosen)
    except LookupError:
        raise UploadError(f"Unknown encoding '{encoding}': use one of {', '.join(ENCODINGS)}.") from None
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise UploadError(
            f"The file is not valid {chosen} (line {line}, byte {error.start}): choose another encoding."
        ) from None
    if _looks_binary(text):
        raise UploadError("This looks like a binary file, not a table of figures (CSV, TSV, TXT or XLSX).")
    text = text.lstrip("\ufeff")
    if not text or text.isspace():
        raise UploadError("The file is empty.")
    return Decoded(text=text, encoding=chosen)
