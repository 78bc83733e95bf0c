"""Saving uploaded files into the sources folder: safe names, allowed types, bounded size,
and never overwriting a file that is already there."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from askrel.reading.sources import SUPPORTED_SUFFIXES, discover

MIB = 1024 * 1024
MAX_UPLOAD_BYTES = 50 * MIB  # the web server refuses larger uploads with the same figure
MAX_NAME_CHARS = 120
_UNSAFE = re.compile(r"[^\w.\- ]+")


class UploadError(ValueError):
    """An upload that is refused; the message says why."""


@dataclass(frozen=True)
class Saved:
    original: str
    saved_as: str
    renamed: bool


def safe_name(name: str) -> str:
    """A plain file name: no folders, no hidden or special names, only word characters,
    '.', '-' and spaces, a supported suffix, and bounded length."""
    base = unicodedata.normalize("NFKC", name.replace("\\", "/").split("/")[-1])
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    base = _UNSAFE.sub("_", base).strip(" ._")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        raise UploadError(f"{name or '(no name)'}: no file type; askrel takes "
                          f"{_suffix_list()} files.")
    suffix = "." + suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise UploadError(f"{name}: type {suffix} is not accepted; askrel takes "
                          f"{_suffix_list()} files.")
    stem = re.sub(r"\s+", "-", stem)
    stem = re.sub(r"([_.\-])\1+", r"\1", stem).strip("._-")
    if not stem:
        raise UploadError(f"{name}: the file name has no usable characters.")
    return stem[:MAX_NAME_CHARS - len(suffix)] + suffix


def _suffix_list() -> str:
    return ", ".join(sorted(SUPPORTED_SUFFIXES))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _same_content(upload: Path, sources_dir: Path) -> Path | None:
    """A file already in the sources folder with exactly this content, if any."""
    size = upload.stat().st_size
    digest: str | None = None
    for existing in discover(sources_dir):
        if existing.is_file() and existing.stat().st_size == size:
            digest = digest or _sha256(upload)
            if _sha256(existing) == digest:
                return existing
    return None


def save_upload(upload: Path, original_name: str, sources_dir: Path,
                max_bytes: int = MAX_UPLOAD_BYTES) -> Saved:
    """Copy an uploaded file into `sources_dir` under a safe, unused name."""
    name = safe_name(original_name)
    size = upload.stat().st_size
    if size == 0:
        raise UploadError(f"{original_name}: the file is empty.")
    if size > max_bytes:
        raise UploadError(f"{original_name}: {size / MIB:.1f} MB is over the "
                          f"{max_bytes / MIB:.0f} MB limit for uploads.")
    sources_dir.mkdir(parents=True, exist_ok=True)
    twin = _same_content(upload, sources_dir)
    if twin is not None:
        raise UploadError(f"{original_name}: the same file is already in the sources folder "
                          f"as {twin.relative_to(sources_dir).as_posix()}; not added again.")
    stem, suffix = name.rsplit(".", 1)
    for n in range(1, 10_000):
        target = sources_dir / (name if n == 1 else f"{stem}-{n}.{suffix}")
        if target.is_symlink():
            continue
        try:
            dst = target.open("xb")  # exclusive: an existing file is never overwritten
        except FileExistsError:
            continue
        with dst, upload.open("rb") as src:
            shutil.copyfileobj(src, dst)
        return Saved(original_name, target.name, target.name != name)
    raise UploadError(f"{original_name}: too many files named like {name} already.")


def remove_source(source: str, sources_dir: Path, root: Path) -> str:
    """Delete the file a source names from `sources_dir` (nothing outside it); returns its path
    inside the folder. The index drops it at the next rebuild."""
    from askrel.web.documents import locate

    path = locate(source, sources_dir, root)
    if path.is_symlink() or not path.is_file():
        raise UploadError(f"{source} is not a plain file in the sources folder.")
    path.unlink()
    return path.relative_to(sources_dir).as_posix()
