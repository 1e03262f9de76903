"""Read-only dataset that loads the latest saved version of a versioned Parquet file."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import fsspec
import pandas as pd
from kedro.io import AbstractDataset, DatasetError


class LatestVersionDataset(AbstractDataset[None, pd.DataFrame]):
    """Loads the newest version of a Kedro-versioned Parquet dataset, or nothing.

    Kedro's versioned datasets save to ``<filepath>/<version>/<file name>``, with
    versions that sort by time. A versioned dataset cannot load "the version before
    the one this run saves", and raises when no version exists. This dataset reads
    the same folder: when loaded before this run's save (make the saving node
    depend on the loading one), the newest version is the previous run's; when no
    version exists it returns an empty frame with ``columns``.

    Example catalog entry::

        previous_segment_assignments:
          type: customer_segmentation.pipelines.reporting.datasets.LatestVersionDataset
          filepath: data/08_reporting/segment_assignment_history.parquet
          columns: [customer_id, segment_id, segment_name]

    Args:
        filepath: Path of the versioned dataset (the folder of versions).
        columns: Columns of the empty frame returned when no version exists.
        load_args: Extra arguments of ``pandas.read_parquet``.
        metadata: Free-form metadata (e.g. kedro-viz layer), unused by Kedro.
    """

    def __init__(
        self,
        filepath: str,
        columns: list[str] | None = None,
        load_args: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> None:
        self._filesystem, path = fsspec.core.url_to_fs(filepath)
        self._filepath = PurePosixPath(path)
        self._columns = list(columns or [])
        self._load_args = dict(load_args or {})
        self.metadata = metadata

    def _latest_file(self) -> str | None:
        if not self._filesystem.isdir(str(self._filepath)):
            return None
        versions = sorted(
            PurePosixPath(entry).name
            for entry in self._filesystem.ls(str(self._filepath), detail=False)
            if self._filesystem.isdir(entry)
        )
        for version in reversed(versions):
            candidate = self._filepath / version / self._filepath.name
            if self._filesystem.exists(str(candidate)):
                return str(candidate)
        return None

    def load(self) -> pd.DataFrame:
        """Loads the newest saved version.

        Returns:
            Its frame, or an empty frame with ``columns`` when none was saved.
        """
        latest = self._latest_file()
        if latest is None:
            return pd.DataFrame(columns=self._columns)
        with self._filesystem.open(latest, mode="rb") as handle:
            return pd.read_parquet(handle, **self._load_args)

    def save(self, data: None) -> None:
        """Refuses to save: write through the versioned dataset instead.

        Args:
            data: Ignored.

        Raises:
            DatasetError: Always.
        """
        raise DatasetError(
            f"LatestVersionDataset({self._filepath}) is read-only; save through the "
            "versioned dataset with the same filepath"
        )

    def _describe(self) -> dict[str, Any]:
        return {"filepath": str(self._filepath), "columns": self._columns}

    def _exists(self) -> bool:
        return self._latest_file() is not None
