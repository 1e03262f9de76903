"""Kedro dataset of the model bundle: saving stages it, the run's end publishes it."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from kedro.io import AbstractVersionedDataset, DatasetError
from kedro.io.core import Version

from .contents import ModelBundle
from .storage import (
    MANIFEST,
    POINTER,
    discard_staged,
    publish_bundle,
    read_bundle,
    read_pointer,
    stage_bundle,
    staging_folder,
)


class ModelBundleDataset(AbstractVersionedDataset[ModelBundle, ModelBundle]):
    """Loads the published model bundle of one environment; saves by staging.

    Unlike Kedro's file datasets, the version loaded by default is the one the
    ``LATEST`` pointer names (the last complete publication), not the newest
    folder name, so a folder planted or left half-written is never picked up.
    ``save`` only stages the bundle; ``publish`` (called by the project hooks when
    the run has succeeded) makes it the latest.

    Example catalog entry::

        model_bundle:
          type: customer_segmentation.bundle.ModelBundleDataset
          filepath: ${globals:output_root}/06_models/model_bundle
          environment: ${globals:environment}
          versioned: true

    Args:
        filepath: The bundle root, a local folder.
        environment: Kedro environment this catalog belongs to; a bundle of
            another environment is refused.
        version: Set by Kedro (``versioned: true`` is required);
            ``--load-versions model_bundle:<version>`` pins the loaded version.
        metadata: Free-form metadata (e.g. kedro-viz layer), unused by Kedro.

    Raises:
        DatasetError: If the entry is not versioned.
    """

    def __init__(
        self,
        filepath: str,
        environment: str,
        version: Version | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        if version is None:
            raise DatasetError(
                f"ModelBundleDataset({filepath}): set 'versioned: true' in the catalog"
            )
        super().__init__(PurePosixPath(filepath), version)
        self._root = Path(filepath)
        self._environment = environment
        self._pointer_sha256: str | None = None
        self.metadata = metadata

    @property
    def environment(self) -> str:
        """Environment whose bundles this dataset reads and writes."""
        return self._environment

    def _fetch_latest_load_version(self) -> str:
        if self._cached_load_version is not None:
            return self._cached_load_version
        this_run = self.resolve_save_version()
        if this_run and (staging_folder(self._root, this_run) / MANIFEST).exists():
            # The run's own bundle, read back (e.g. by the report) before it is
            # published; Kedro gives every dataset of a run the same save version.
            self._cached_load_version, self._pointer_sha256 = this_run, None
        else:
            pointer = read_pointer(self._root, self._environment)
            self._cached_load_version = pointer["version"]
            self._pointer_sha256 = pointer["manifest_sha256"]
        return self._cached_load_version

    def _get_versioned_path(self, version: str) -> PurePosixPath:
        # A bundle is a folder: <root>/<version>/, not <root>/<version>/<name>.
        return super()._get_versioned_path(version).parent

    def load(self) -> ModelBundle:
        """Loads the latest published bundle, or the pinned version.

        Returns:
            The bundle, its parts checked against the manifest and each other.

        Raises:
            BundleError: Its subclasses name what is wrong (not found, other
                environment, changed file, untrusted type, parts disagree).
        """
        version = self.resolve_load_version()
        folder = self._root / version
        expected = None if self._version.load else self._pointer_sha256
        staged = staging_folder(self._root, version)
        if version == self.resolve_save_version() and (staged / MANIFEST).exists():
            folder, expected = staged, None
        return read_bundle(folder, version, self._environment, expected)

    def save(self, data: ModelBundle) -> None:
        """Stages the bundle under this run's save version (not yet published).

        Args:
            data: The bundle; its environment must be this dataset's.
        """
        version = self.resolve_save_version()
        stage_bundle(data, self._root, version, self._environment)
        # Read back within the run as what was just written, as Kedro does for
        # other versioned datasets.
        self._cached_load_version = version
        self._pointer_sha256 = None

    def publish(self) -> str | None:
        """Publishes this run's staged bundle, if it staged one.

        Returns:
            The published version, or ``None`` when nothing was staged.
        """
        version = self.resolve_save_version()
        if not (staging_folder(self._root, version) / MANIFEST).exists():
            return None
        publish_bundle(self._root, version)
        return version

    def discard_staged(self) -> None:
        """Removes staged, unpublished bundles (of failed or killed runs)."""
        discard_staged(self._root)

    def _exists(self) -> bool:
        return (self._root / POINTER).exists()

    def _describe(self) -> dict[str, Any]:
        return {
            "filepath": str(self._root),
            "environment": self._environment,
            "version": self._version,
        }
