"""Reading a snapshot archive safely: everything is checked before anything is used.

An archive is refused (``ArchiveError``, with a message for a person) unless: it is a zip; it has few enough
members, each small enough and not compressed suspiciously well (no zip bombs), checked from the directory
*before* any member is decompressed, and again while decompressing (a header can lie); no member path leaves
the archive (``../``, absolute paths, drive letters, backslashes); ``manifest.json`` parses and is ours; its
schema version is one we know (older ones are accepted and their columns mapped); every member is listed in
the manifest and its SHA-256 matches; the required members are present.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from indicators.store.schema import SCHEMA_VERSION

FORMAT = "indicators-snapshot"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
REQUIRED = ("observations.csv", "observations.parquet", "indicators.csv", "sources.csv")
MEMBERS = (
    "observations.csv",
    "indicators.csv",
    "sources.csv",
    "changes.csv",
    "observations.parquet",
    "snapshot.xlsx",
    "report.html",
    "README.md",
)


class ArchiveError(Exception):
    """The file is not a snapshot we can trust; nothing was changed."""


@dataclass(frozen=True)
class Limits:
    max_members: int = 32
    max_member_bytes: int = 2 * 1024**3  # 2 GiB uncompressed per member
    max_total_bytes: int = 4 * 1024**3
    max_ratio: float = 200.0  # uncompressed / compressed; CSV of figures compresses ~5-10x
    max_manifest_bytes: int = 1024**2


DEFAULT_LIMITS = Limits()


@dataclass
class Archive:
    """A checked archive: its manifest and the bytes of every member."""

    manifest: dict
    members: dict[str, bytes] = field(default_factory=dict)
    name: str = "snapshot"

    @property
    def schema_version(self) -> int:
        return int(self.manifest["schema_version"])


def _unsafe_name(name: str) -> str | None:
    if not name or "\x00" in name:
        return "an empty or binary member name"
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        return "an absolute path"
    if "\\" in name:
        return "a backslash in a path"
    if ".." in PurePosixPath(name).parts:
        return "a path that leaves the archive (..)"
    return None


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    """Decompress one member, stopping as soon as it grows past what its header declared or the limit."""
    cap = min(info.file_size, limits.max_member_bytes)
    chunks, total = [], 0
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(1024 * 1024)
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise ArchiveError(f"{info.filename} is larger than its header says or than allowed: refused")
                chunks.append(chunk)
    except (zlib.error, zipfile.BadZipFile, EOFError, NotImplementedError, RuntimeError) as error:
        # damaged compressed data (a flipped byte, a cut-off download): say so, never a zlib traceback
        raise ArchiveError(f"{info.filename} is damaged and cannot be decompressed ({error}): refused") from None
    return b"".join(chunks)


def read_archive(source: str | Path | bytes, *, limits: Limits = DEFAULT_LIMITS, name: str | None = None) -> Archive:
    """Open and check a snapshot (a path or the bytes of an upload). Raises ArchiveError when it is damaged,
    hostile, or from a newer version of the dashboard."""
    label = name or (Path(source).name if not isinstance(source, bytes) else "the upload")
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        if isinstance(source, bytes) and not zipfile.is_zipfile(io.BytesIO(source)):
            raise zipfile.BadZipFile
        archive = zipfile.ZipFile(stream)
    except FileNotFoundError:
        raise ArchiveError(f"{label}: no such file") from None
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ArchiveError(f"{label} is not a snapshot: it is not a zip archive") from None
    with archive:
        infos = archive.infolist()
        _check_directory(infos, limits, label)
        by_name = {info.filename: info for info in infos}
        manifest_info = by_name.get(MANIFEST)
        if manifest_info is None:
            raise ArchiveError(f"{label} is not a snapshot: it has no {MANIFEST}")
        if manifest_info.file_size > limits.max_manifest_bytes:
            raise ArchiveError(f"{label}: {MANIFEST} is too large to be a manifest")
        try:
            manifest = json.loads(_read_member(archive, manifest_info, limits).decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            # JSONDecodeError is a ValueError, and so is a number of more than 4,300 digits; an array nested
            # 100,000 deep is a RecursionError: all of them a manifest that does not parse
            raise ArchiveError(f"{label}: {MANIFEST} does not parse ({str(error)[:200]})") from None
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            raise ArchiveError(f"{label}: {MANIFEST} is damaged ({error})") from None
        listed = _check_manifest(manifest, label)
        present = set(by_name) - {MANIFEST}
        missing = sorted(set(listed) - present)
        if missing:
            raise ArchiveError(f"{label} is incomplete: {', '.join(missing)} missing (listed in the manifest)")
        unlisted = sorted(present - set(listed))
        if unlisted:
            raise ArchiveError(f"{label} holds files its manifest does not list: {', '.join(unlisted)}")
        absent = [member for member in REQUIRED if member not in listed]
        if absent:
            raise ArchiveError(f"{label} is incomplete: {', '.join(absent)} missing")
        members: dict[str, bytes] = {}
        for member, expected in listed.items():
            try:
                data = _read_member(archive, by_name[member], limits)
            except (zipfile.BadZipFile, OSError, EOFError, zipfile.LargeZipFile) as error:
                raise ArchiveError(f"{label}: {member} is damaged ({error})") from None
            if hashlib.sha256(data).hexdigest() != expected:
                raise ArchiveError(
                    f"{label}: the checksum of {member} does not match the manifest (damaged or altered)"
                )
            members[member] = data
    return Archive(manifest=manifest, members=members, name=label)


def _check_directory(infos: list[zipfile.ZipInfo], limits: Limits, label: str) -> None:
    if len(infos) > limits.max_members:
        raise ArchiveError(f"{label} has {len(infos)} files; a snapshot has at most {limits.max_members}")
    seen: set[str] = set()
    total = 0
    for info in infos:
        problem = _unsafe_name(info.filename)
        if problem:
            raise ArchiveError(f"{label}: member {info.filename!r} has {problem}: refused")
        if info.filename in seen:
            raise ArchiveError(f"{label}: member {info.filename} appears twice: refused")
        if info.flag_bits & 0x1:
            raise ArchiveError(
                f"{label}: {info.filename} is encrypted (protected by a password): unzip it with its password and "
                "restore the snapshot zip as it was exported"
            )
        seen.add(info.filename)
        if info.file_size > limits.max_member_bytes:
            raise ArchiveError(
                f"{label}: {info.filename} would unpack to {info.file_size:,} bytes, over the limit of "
                f"{limits.max_member_bytes:,}: refused"
            )
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise ArchiveError(
                f"{label}: {info.filename} is compressed {info.file_size / max(info.compress_size, 1):,.0f} to 1, "
                "like a zip bomb: refused"
            )
        total += info.file_size
    if total > limits.max_total_bytes:
        raise ArchiveError(f"{label} would unpack to {total:,} bytes, over the limit of {limits.max_total_bytes:,}")


def _check_version(version: object, newest: int, name: str, newer_name: str, label: str) -> None:
    """A manifest's format or schema version: a positive whole number, and none newer than this release's."""
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ArchiveError(f"{label}: the manifest's {name} version {version!r} is not a version number")
    if version > newest:
        verb = "reads" if name == "format" else "knows"
        raise ArchiveError(
            f"{label} was written by a newer version of this dashboard ({newer_name} {version}; this version "
            f"{verb} {newest}). Upgrade the dashboard to restore it."
        )


def _check_manifest(manifest: object, label: str) -> dict[str, str]:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{label}: {MANIFEST} is not a snapshot manifest of this dashboard")
    _check_version(manifest.get("format_version", FORMAT_VERSION), FORMAT_VERSION, "format", "snapshot format", label)
    _check_version(manifest.get("schema_version"), SCHEMA_VERSION, "schema", "schema", label)
    members = manifest.get("members")
    if not isinstance(members, dict) or not members:
        raise ArchiveError(f"{label}: the manifest lists no files")
    listed: dict[str, str] = {}
    for member, entry in members.items():
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if not isinstance(member, str) or _unsafe_name(member) or not isinstance(digest, str) or len(digest) != 64:
            raise ArchiveError(f"{label}: the manifest's entry for {member!r} is malformed")
        listed[member] = digest.lower()
    return listed
