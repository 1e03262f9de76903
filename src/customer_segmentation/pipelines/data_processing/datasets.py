"""A catalog dataset that stands for a raw input an environment does not have."""

from __future__ import annotations

from typing import Any

from kedro.io import AbstractDataset, DatasetError


class AbsentDataset(AbstractDataset[Any, None]):
    """Declares in the catalog that an input does not exist in this environment.

    Loading gives ``None``; the standardise nodes turn that into an empty table
    with the canonical columns when ``input_kind`` does not need the input, and
    raise a clear error when it does. Example, for attribute-only data:

    .. code-block:: yaml

        raw_transactions:
          type: customer_segmentation.pipelines.data_processing.datasets.AbsentDataset
          metadata: {kedro-viz: {layer: raw}}

    Args:
        metadata: Free-form metadata (e.g. the kedro-viz layer).
    """

    def __init__(self, metadata: dict[str, Any] | None = None) -> None:
        self.metadata = metadata

    def load(self) -> None:
        """Gives ``None``: there is no such input in this environment."""
        return None

    def save(self, data: Any) -> None:
        """Refuses to save.

        Raises:
            DatasetError: Always; an absent input cannot be written.
        """
        raise DatasetError("AbsentDataset: an absent input cannot be saved")

    def _describe(self) -> dict[str, Any]:
        return {"absent": True}
