"""Writes, publishes and reads model bundles on disk; reading one never runs its code.

Layout under the bundle root (e.g. ``data/06_models/model_bundle``)::

    LATEST                  {"version": ..., "manifest_sha256": ...}, written last
    <version>/manifest.json environment, version and the SHA-256 of every part
    <version>/<part files>  one file per part (see parts.BUNDLE_PARTS)
    .staging/<version>/     a bundle being written; never read by scoring

A run writes its bundle under ``.staging/``, then (when the run succeeded) renames
the folder to ``<version>/`` and replaces ``LATEST``. Both are atomic on one file
system, so a run that dies at any point leaves the previous ``LATEST`` in force.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from .contents import ModelBundle, check_bundle
from .errors import BundleEnvironmentError, BundleIntegrityError, BundleNotFoundError
from .parts import BUNDLE_PARTS, BundlePart

# Version 2 added the customer_value_models part; version 1 bundles still load.
FORMAT_VERSION = 2
READABLE_FORMAT_VERSIONS = (1, 2)
MANIFEST = "manifest.json"
POINTER = "LATEST"
STAGING = ".staging"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_durably(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def staging_folder(root: Path, version: str) -> Path:
    """Names the folder a run writes its bundle into before publication.

    Args:
        root: The bundle root.
        version: The run's version.

    Returns:
        ``<root>/.staging/<version>``.
    """
    return root / STAGING / version


def write_part(folder: Path, part: BundlePart, value: Any) -> dict[str, Any]:
    """Writes one part and says what the manifest records about it.

    Args:
        folder: The staging folder.
        part: Which part.
        value: Its value.

    Returns:
        ``{"file": ..., "sha256": ..., "bytes": ...}``.
    """
    data = part.codec.encode(value)
    _write_durably(folder / part.filename, data)
    return {"file": part.filename, "sha256": _sha256(data), "bytes": len(data)}


def stage_bundle(
    bundle: ModelBundle, root: Path, version: str, environment: str
) -> Path:
    """Writes every part, then the manifest, into the staging folder.

    Args:
        bundle: A bundle whose parts agree (checked again here).
        root: The bundle root.
        version: Version it will be published as.
        environment: Environment of the run; must be the bundle's.

    Returns:
        The staging folder.

    Raises:
        BundleEnvironmentError: If the bundle says another environment.
        BundleMismatchError: If its parts disagree.
    """
    if bundle.environment != environment:
        raise BundleEnvironmentError(
            f"model bundle of environment {bundle.environment!r} cannot be published "
            f"in environment {environment!r} ({root})"
        )
    check_bundle(bundle)
    folder = staging_folder(root, version)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    parts = {
        part.name: write_part(folder, part, getattr(bundle, part.name))
        for part in BUNDLE_PARTS
    }
    manifest = {
        "format_version": FORMAT_VERSION,
        "version": version,
        "environment": environment,
        "parts": parts,
    }
    _write_durably(folder / MANIFEST, json.dumps(manifest, indent=2).encode())
    return folder


def write_pointer(root: Path, version: str) -> None:
    """Points ``LATEST`` at a published version, atomically (temp file, rename).

    Args:
        root: The bundle root.
        version: A version folder under ``root`` holding a manifest.
    """
    manifest = (root / version / MANIFEST).read_bytes()
    pointer = {"version": version, "manifest_sha256": _sha256(manifest)}
    temporary = root / f".{POINTER}.{os.getpid()}.tmp"
    _write_durably(temporary, json.dumps(pointer, indent=2).encode())
    os.replace(temporary, root / POINTER)


def publish_bundle(root: Path, version: str) -> Path:
    """Moves a staged bundle to its version folder, then points ``LATEST`` at it.

    Args:
        root: The bundle root.
        version: The staged version.

    Returns:
        The published folder.

    Raises:
        BundleNotFoundError: If nothing complete was staged for ``version``.
    """
    staged = staging_folder(root, version)
    if not (staged / MANIFEST).is_file():
        raise BundleNotFoundError(
            f"model bundle {version}: nothing complete staged in {staged}; "
            "nothing published"
        )
    published = root / version
    os.rename(staged, published)
    write_pointer(root, version)
    with contextlib.suppress(OSError):
        staged.parent.rmdir()
    return published


def discard_staged(root: Path) -> None:
    """Removes every staged (unpublished) bundle under ``root``.

    Args:
        root: The bundle root.
    """
    shutil.rmtree(root / STAGING, ignore_errors=True)


def read_pointer(root: Path, environment: str) -> dict[str, str]:
    """Reads ``LATEST``: the published version and its manifest's hash.

    Args:
        root: The bundle root.
        environment: Environment asking, for messages.

    Returns:
        ``{"version": ..., "manifest_sha256": ...}``.

    Raises:
        BundleNotFoundError: If nothing was ever published in this environment.
    """
    try:
        pointer = json.loads((root / POINTER).read_text())
    except FileNotFoundError as error:
        raise BundleNotFoundError(
            f"environment {environment!r} has no published model bundle ({root} has "
            f"no {POINTER}); train first: kedro run --env={environment}"
        ) from error
    return {
        "version": str(pointer["version"]),
        "manifest_sha256": str(pointer["manifest_sha256"]),
    }


def list_versions(root: Path) -> list[str]:
    """Lists the version folders that hold a manifest.

    Args:
        root: The bundle root.

    Returns:
        Their names, sorted (oldest first for Kedro's timestamps).
    """
    if not root.is_dir():
        return []
    return sorted(
        entry.name
        for entry in root.iterdir()
        if entry.is_dir() and (entry / MANIFEST).is_file()
    )


def _read_manifest(
    folder: Path, version: str, environment: str, expected_sha256: str | None
) -> dict[str, Any]:
    try:
        data = (folder / MANIFEST).read_bytes()
    except FileNotFoundError as error:
        raise BundleNotFoundError(
            f"environment {environment!r} has no model bundle version {version!r} "
            f"({folder} has no {MANIFEST}); published versions: "
            f"{list_versions(folder.parent)}"
        ) from error
    if expected_sha256 is not None and _sha256(data) != expected_sha256:
        raise BundleIntegrityError(
            f"{folder / MANIFEST}: does not match the SHA-256 {POINTER} recorded; "
            "refusing it"
        )
    manifest = json.loads(data)
    if manifest.get("format_version") not in READABLE_FORMAT_VERSIONS:
        raise BundleIntegrityError(
            f"{folder / MANIFEST}: format_version={manifest.get('format_version')} "
            f"but this code reads {list(READABLE_FORMAT_VERSIONS)}"
        )
    if manifest.get("environment") != environment:
        raise BundleEnvironmentError(
            f"model bundle {version!r} in {folder} belongs to environment "
            f"{manifest.get('environment')!r}, not {environment!r}; score with "
            f"--env={manifest.get('environment')} or train in {environment!r}"
        )
    return manifest


def _read_part(folder: Path, part: BundlePart, manifest: dict[str, Any]) -> Any:
    where = str(folder / part.filename)
    entry = manifest["parts"].get(part.name)
    if entry is None and manifest["format_version"] < part.since_format:
        return part.absent
    if entry is None or entry.get("file") != part.filename:
        raise BundleIntegrityError(f"{where}: not listed in the bundle's manifest")
    try:
        data = (folder / part.filename).read_bytes()
    except FileNotFoundError as error:
        raise BundleIntegrityError(f"{where}: missing") from error
    # The hash is checked before the bytes reach any parser.
    if _sha256(data) != entry.get("sha256"):
        raise BundleIntegrityError(
            f"{where}: SHA-256 differs from the manifest's; the file was changed "
            "after publication, refusing it"
        )
    return part.codec.decode(data, where)


def read_bundle(
    folder: Path, version: str, environment: str, expected_sha256: str | None = None
) -> ModelBundle:
    """Loads a bundle folder after checking its manifest, hashes and parts.

    Args:
        folder: The version folder.
        version: Its version.
        environment: Environment asking for it; must be the bundle's.
        expected_sha256: SHA-256 of the manifest ``LATEST`` recorded, if any.

    Returns:
        The bundle, with ``version`` set.

    Raises:
        BundleNotFoundError: If the folder has no manifest.
        BundleEnvironmentError: If the bundle is another environment's.
        BundleIntegrityError: If a file is missing, changed or malformed.
        BundleUntrustedError: If the model file asks for an untrusted type.
        BundleMismatchError: If the parts disagree.
    """
    manifest = _read_manifest(folder, version, environment, expected_sha256)
    parts = {part.name: _read_part(folder, part, manifest) for part in BUNDLE_PARTS}
    bundle = ModelBundle(**parts, version=version)
    if bundle.environment != environment:
        raise BundleEnvironmentError(
            f"{folder}: fingerprint says environment {bundle.environment!r}, "
            f"not {environment!r}"
        )
    return check_bundle(bundle, where=f"model bundle {version} ({folder})")
