"""The configuration loader: runtime parameters change only the keys they name.

Kedro's ``OmegaConfigLoader`` merges ``--params`` into the base parameters and into
the run environment's, then lets the environment's top-level keys replace the
base's (its default "destructive" merge between environments). So with any
environment that has a parameters file (``--env=wholesale``, or a
``conf/local/parameters.yml``), ``--params inference.scoring.min_invoices=2``
made the environment's ``inference`` key hold that one value, and every other
``inference`` setting of the base files was lost: a missing input, or worse,
a setting silently back at its code default.

:class:`ConfigLoader` merges the base and the environment as Kedro does, and
only then merges the runtime parameters key by key on top of the result.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro.config import OmegaConfigLoader
from omegaconf import DictConfig, OmegaConf

PARAMETERS = "parameters"


class ConfigLoader(OmegaConfigLoader):
    """``OmegaConfigLoader`` whose runtime parameters override the merged configuration.

    Everything but the order of the parameters' merge is Kedro's: files, patterns,
    globals, resolvers (``${runtime_params:...}`` included) and the destructive
    merge of an environment's top-level keys.
    """

    def _merge_and_resolve(
        self, key: str, config_per_file: dict[Path, DictConfig]
    ) -> dict[str, Any]:
        if key != PARAMETERS or not config_per_file:
            return super()._merge_and_resolve(key, config_per_file)
        # The files of one environment only; the runtime values come last.
        return OmegaConf.to_container(
            OmegaConf.unsafe_merge(*config_per_file.values()), resolve=True
        )

    def _resolve_from_raw_config(self, key: str, *args: Any) -> dict[str, Any]:
        config = super()._resolve_from_raw_config(key, *args)
        if key != PARAMETERS or not self.runtime_params:
            return config
        return OmegaConf.to_container(
            OmegaConf.merge(config, self.runtime_params), resolve=True
        )
