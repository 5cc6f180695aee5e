"""SHA-256 manifests of export directories: detect a truncated, edited or incomplete model before it is used.

Every export writes ``manifest.sha256`` last, in the format of coreutils'
``sha256sum`` (``<hex digest>  <path relative to the export>`` per line), so it is
checked with pinnzoo (``pinnzoo verify DIR``, and on every ``evaluate``/``predict``/
``load_export``) or without it (``cd DIR && sha256sum -c manifest.sha256``). The
manifest guards against corruption (a crashed copy, a partial download, an edit),
not against tampering: whoever can edit the files can rewrite the manifest.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from pinnzoo.errors import ExportError

MANIFEST = "manifest.sha256"
#: an export's metadata file
METADATA = "pinnzoo.json"


def _digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.name != MANIFEST)


def write_manifest(directory) -> Path:
    """Write ``manifest.sha256`` of every file under ``directory`` (itself excepted); returns its path."""
    directory = Path(directory)
    lines = [f"{_digest(p)}  {p.relative_to(directory).as_posix()}" for p in _files(directory)]
    path = directory / MANIFEST
    path.write_text("\n".join(lines) + "\n")
    return path


def manifest_problems(directory) -> list[str]:
    """What differs from the manifest: missing, changed and unlisted files (empty: intact).

    Raises:
        ExportError: the directory has no manifest, or the manifest cannot be read.
    """
    directory = Path(directory)
    path = directory / MANIFEST
    if not path.exists():
        raise ExportError(f"{directory} has no {MANIFEST} (exported before pinnzoo wrote manifests)")
    listed: dict[str, str] = {}
    try:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            digest, sep, name = line.partition("  ")
            if not sep or len(digest) != 64 or not name:
                raise ValueError(f"line {number} is not '<sha256>  <path>'")
            listed[name] = digest
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ExportError(f"cannot read {path}: {exc}") from None
    problems = []
    for name, digest in listed.items():
        file = directory / name
        if not file.is_file():
            problems.append(f"{name} is missing")
        elif _digest(file) != digest:
            problems.append(f"{name} differs from its checksum (edited or truncated)")
    present = {p.relative_to(directory).as_posix() for p in _files(directory)}
    problems += [f"{name} is not in the manifest" for name in sorted(present - set(listed))]
    return problems


def check_manifest(directory, required: bool = False) -> bool:
    """Raise :class:`ExportError` if ``directory`` does not match its manifest; returns whether it has one
    (an export without a manifest passes unless ``required``)."""
    directory = Path(directory)
    if not (directory / MANIFEST).exists() and not required:
        return False
    problems = manifest_problems(directory)
    if problems:
        shown = "; ".join(problems[:3]) + (f"; and {len(problems) - 3} more" if len(problems) > 3 else "")
        raise ExportError(f"{directory} does not match its {MANIFEST}: {shown} — refusing to load it")
    return True


def read_export_json(directory) -> dict:
    """``pinnzoo.json`` of an export folder as a dict, with clear errors for anything that is not one (no TensorFlow:
    :func:`pinnzoo.export.read_metadata` adds the checks of the family that wrote it)."""
    directory = Path(directory)
    if not directory.exists():
        raise ExportError(f"no such directory: {directory}")
    if not directory.is_dir():
        raise ExportError(f"not a directory: {directory}")
    if not (directory / "saved_model.pb").exists():
        raise ExportError(f"{directory} is not a SavedModel directory (no saved_model.pb)")
    path = directory / METADATA
    if not path.exists():
        raise ExportError(f"{directory} is a SavedModel but not a pinnzoo export (no {METADATA})")
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ExportError(f"cannot read {path}: {exc}") from None
    if not isinstance(meta, dict):
        raise ExportError(f"{path} does not hold a JSON object (got {type(meta).__name__})")
    return meta
