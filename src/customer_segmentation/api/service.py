"""Serves the inference pipeline: built once with its parameters and model bundle, run per request.

Nothing here restates the pipeline. A request's lines and attributes become the
pipeline's raw inputs; the few parameters a request decides (which inputs it has,
their column names, the reference date) are explicit overrides; every other
parameter is the one the catalog loaded at start-up. A new cleaning rule, feature
or parameter of the pipeline therefore reaches the API with no change here.
"""

from __future__ import annotations

import datetime as dt
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io.core import Version
from kedro.pipeline import Pipeline

from customer_segmentation.bundle import BundleNotFoundError, ModelBundle
from customer_segmentation.engine import duckdb_settings
from customer_segmentation.pipelines.data_processing.settings import (
    TRANSACTION_COLUMNS,
    CleaningRules,
    CustomersSchema,
    TransactionsSchema,
    attribute_mapping,
)
from customer_segmentation.pipelines.feature_engineering.domains import FeatureDomain
from customer_segmentation.pipelines.inference import pipeline as inference
from customer_segmentation.pipelines.inference.settings import ApiSettings

from .engine import EngineConnections
from .parsing import arrow_rows
from .records import to_records
from .runner import InMemoryRunner, resolve_parameter

logger = logging.getLogger(__name__)

NAMESPACE = inference.NAMESPACE
RAW_TRANSACTIONS = f"{NAMESPACE}.raw_transactions"
RAW_CUSTOMERS = f"{NAMESPACE}.raw_customers"
CUSTOMER_FEATURES = f"{NAMESPACE}.customer_features@pandas"
REFERENCE_DATE = f"{NAMESPACE}.reference_date"
DATA_QUALITY = f"{NAMESPACE}.data_quality_report"
SCORED = "scored_customers"
# The parameters a request decides; all others are the catalog's.
INPUT_KIND = "params:input_kind"
TRANSACTIONS_SCHEMA = "params:transactions_schema"
CUSTOMERS_SCHEMA = "params:customers_schema"
FEATURE_SETTINGS = f"params:{NAMESPACE}.feature_settings"
SCORING = f"params:{NAMESPACE}.scoring"
CLEANING_RULES = "params:cleaning_rules"
REQUEST_PARAMETERS = (
    INPUT_KIND,
    TRANSACTIONS_SCHEMA,
    CUSTOMERS_SCHEMA,
    FEATURE_SETTINGS,
)
# Engine tables of a request, under fixed names on the scoring thread's connection.
TRANSACTIONS_TABLE = "request_transactions"
ATTRIBUTES_TABLE = "request_attributes"


class RequestRefused(ValueError):
    """A request the service will not score; names the field and the rule.

    Args:
        loc: Path of the offending field in the body.
        message: What is wrong, with the rule.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.loc = loc


@dataclass(frozen=True)
class Scored:
    """Answer of one request: scored rows, the reference date and the cleaning summary."""

    segments: list[dict[str, Any]]
    reference_date: dt.datetime | None = None
    data_quality: dict[str, Any] | None = None


def _bound_parameters(pipeline: Pipeline, params: dict[str, Any]) -> dict[str, Any]:
    names = [
        name
        for name in pipeline.inputs()
        if name.startswith("params:") and name not in REQUEST_PARAMETERS
    ]
    return {name: resolve_parameter(params, name) for name in names}


@dataclass
class ScoringService:
    """The inference pipeline, its parameters and the model bundle, loaded once.

    Attributes:
        bundle: The published model bundle.
        params: The environment's parameters, as the catalog loaded them.
        settings: API limits and the default reference date.
    """

    bundle: ModelBundle
    params: dict[str, Any]
    settings: ApiSettings = field(default_factory=ApiSettings)
    pipeline: Pipeline = field(default_factory=inference.create_pipeline)

    def __post_init__(self) -> None:
        self.model = self.bundle.segmentation_model
        self.model_version = str(self.bundle.version)
        self.names_by_segment = self.bundle.segments.by_id()
        spec = self.bundle.feature_spec
        self.feature_names = spec.names
        self.categorical = list(spec.model_features.categorical)
        self.domains: dict[str, FeatureDomain] = spec.domains
        self.attributes_schema = _canonical_customers_schema(
            CustomersSchema.model_validate(self.params["customers_schema"])
        )
        self.attribute_types = _attribute_types(self.attributes_schema)
        models = {inference.MODEL_BUNDLE: self.bundle}
        # Two settings the server binds once, unlike batch: a request holds the
        # lines of a few customers, not an export (how far back they reach says
        # nothing about a cut history), and the start-up clock would date
        # later days' lines (see _without_start_up_clock).
        scoring = resolve_parameter(self.params, SCORING)
        served = {
            SCORING: scoring.model_copy(update={"min_history_share": 0}),
            CLEANING_RULES: _without_start_up_clock(
                resolve_parameter(self.params, CLEANING_RULES)
            ),
        }
        self.runner = InMemoryRunner(
            self.pipeline,
            _bound_parameters(self.pipeline, self.params) | models | served,
            per_run={RAW_TRANSACTIONS, RAW_CUSTOMERS, *REQUEST_PARAMETERS},
        )
        features = inference.create_feature_scoring_pipeline()
        self.feature_runner = InMemoryRunner(
            features,
            _bound_parameters(features, self.params) | models,
            per_run={CUSTOMER_FEATURES},
        )
        # One engine thread per scoring thread: the API's parallelism is its
        # workers, a small request's statements skip DuckDB's hand-offs, and
        # floating-point sums (money) add the lines in the same order every
        # time, so the same request gives the same bytes.
        self.engines = EngineConnections(
            duckdb_settings(self.params).model_copy(update={"threads": 1}),
            held_rows=self.settings.held_rows,
        )
        self.executor = ThreadPoolExecutor(
            self.settings.workers, thread_name_prefix="scoring"
        )

    @property
    def algorithm(self) -> str | None:
        """Clustering algorithm of the model, when the model records it."""
        return getattr(self.model, "algorithm_", None)

    def score_feature_records(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Scores customers whose feature values the caller sends.

        Args:
            rows: One mapping per customer: ``customer_id`` and every feature.

        Returns:
            One JSON-ready record per row, in order.
        """
        frame = pd.DataFrame.from_records(
            rows, columns=["customer_id", *self.feature_names]
        )
        numeric = [name for name in self.feature_names if name not in self.categorical]
        frame = frame.astype(
            dict.fromkeys(numeric, "float64") | dict.fromkeys(self.categorical, object)
        )
        scored = self.feature_runner.run({CUSTOMER_FEATURES: frame}, [SCORED])[SCORED]
        return to_records(scored)

    def reference_date_for(self, given: dt.datetime | None) -> dt.datetime:
        """The date a transaction request is measured at.

        Args:
            given: The request's ``reference_date``, or ``None``.

        Returns:
            ``given``, else ``api.reference_date``, else the midnight that ends
            the current UTC date (server clock).
        """
        if given is not None:
            return given
        if self.settings.reference_date is not None:
            return self.settings.reference_date
        today = dt.datetime.now(dt.UTC).date()
        return dt.datetime.combine(today + dt.timedelta(days=1), dt.time())

    def score_transactions(
        self,
        lines: pa.Table,
        reference_date: dt.datetime | None,
        attributes: pa.Table | None = None,
    ) -> Scored:
        """Scores customers from their raw lines by running the inference pipeline.

        Args:
            lines: Transaction lines with canonical column names: the required
                ones and the optional ones the request gives (see
                ``parsing.line_columns``).
            reference_date: See :meth:`reference_date_for`.
            attributes: Attribute rows with the columns of ``attribute_types``;
                ``None``: the request has no attributes (``input_kind``
                transactions).

        Returns:
            One record per customer the lines or attributes mention, the
            reference date and the data-quality summary.

        Raises:
            RequestRefused: If the model was trained without purchases, or a
                line is dated after the reference date.
            InputValidationError: If the pipeline's own rules refuse the input.
        """
        self._refuse_lines_without_purchase_features()
        reference = self.reference_date_for(reference_date)
        _refuse_lines_after(lines, reference)
        tables = self.engines.request()
        overrides = {
            INPUT_KIND: "transactions" if attributes is None else "both",
            TRANSACTIONS_SCHEMA: self._transactions_schema(lines.column_names),
            CUSTOMERS_SCHEMA: self.attributes_schema,
            FEATURE_SETTINGS: self.params_feature_settings(reference),
            RAW_TRANSACTIONS: tables.rows(TRANSACTIONS_TABLE, lines),
            RAW_CUSTOMERS: tables.rows(
                ATTRIBUTES_TABLE,
                attributes
                if attributes is not None
                else arrow_rows([], self.attribute_types),
            ),
        }
        try:
            result = self.runner.run(
                overrides, [SCORED, DATA_QUALITY, REFERENCE_DATE], tables
            )
        finally:
            tables.release()
        report = result[DATA_QUALITY]["tables"]["transactions"]
        return Scored(
            segments=to_records(result[SCORED]),
            reference_date=pd.Timestamp(result[REFERENCE_DATE]).to_pydatetime(),
            data_quality={
                key: report[key] for key in ("rows_in", "rows_dropped", "rows_out")
            },
        )

    def _refuse_lines_without_purchase_features(self) -> None:
        # A model trained on attributes alone has no feature that lines give:
        # every customer would be scored on imputed values only.
        if self.bundle.fingerprint.last_purchase is None:
            raise RequestRefused(
                ("body", "transactions"),
                f"model {self.model_version} was trained on customer attributes "
                "without purchases, so no feature of it comes from transaction "
                "lines (rule: lines need a model trained on purchases); send "
                f"'customers' with its features {self.feature_names}",
            )

    def params_feature_settings(self, reference: dt.datetime) -> Any:
        """The inference feature settings with the request's reference date."""
        configured = resolve_parameter(self.params, FEATURE_SETTINGS)
        return configured.model_copy(update={"reference_date": reference})

    def _transactions_schema(self, columns: list[str]) -> TransactionsSchema:
        training = TransactionsSchema.model_validate(self.params["transactions_schema"])
        return TransactionsSchema(
            dataset="transactions",
            columns={
                name: name if name in columns else None for name in TRANSACTION_COLUMNS
            },
            missing_values=training.missing_values,
        )


def _without_start_up_clock(rules: CleaningRules) -> CleaningRules:
    # The default latest_valid_date is read from the clock with the parameters,
    # here once at start-up: a server running for days would drop today's
    # lines as future_dated. A request's lines are refused after its own
    # reference date instead (_refuse_lines_after); a configured date stays.
    if "latest_valid_date" in rules.model_fields_set:
        return rules
    return rules.model_copy(update={"latest_valid_date": None})


def _refuse_lines_after(lines: pa.Table, reference: dt.datetime) -> None:
    dates = lines.column("invoice_date")
    late = pc.greater(dates, pa.scalar(reference, dates.type))
    index = pc.index(late, True).as_py()
    if index >= 0:
        date = dates[index].as_py()
        raise RequestRefused(
            ("body", "transactions", index, "invoice_date"),
            f"invoice_date {date.isoformat()} is after the reference date "
            f"{reference.isoformat()} (rule: reference date not before the "
            "lines); give a later reference_date",
        )


def _attribute_types(schema: CustomersSchema) -> dict[str, str]:
    return (
        {"customer_id": "string"}
        | dict.fromkeys(attribute_mapping(schema.numeric), "float64")
        | dict.fromkeys(attribute_mapping(schema.categorical), "string")
        | dict.fromkeys(attribute_mapping(schema.dates), "timestamp")
    )


def _canonical_customers_schema(training: CustomersSchema) -> CustomersSchema:
    # Requests use canonical attribute names, whatever the raw file called them.
    return CustomersSchema(
        dataset="attributes",
        customer_id="customer_id",
        numeric=list(attribute_mapping(training.numeric)),
        categorical=list(attribute_mapping(training.categorical)),
        dates=list(attribute_mapping(training.dates)),
        missing_values=training.missing_values,
    )


def load_scoring_service(
    project_path: Path | str,
    env: str | None = None,
    model_version: str | None = None,
) -> ScoringService:
    """Loads the environment's model bundle and parameters through the Kedro catalog.

    Args:
        project_path: Root of the Kedro project.
        env: Kedro configuration environment; ``None`` uses the default. Only
            this environment's bundles are read.
        model_version: Version of ``model_bundle`` to load; ``None`` loads the
            latest published one.

    Returns:
        The ready service.

    Raises:
        BundleError: If no bundle (or not that version) was published in this
            environment, or it is another environment's, was changed, asks for
            an untrusted type, or its parts disagree (each a named subclass).
    """
    project_path = Path(project_path).resolve()
    bootstrap_project(project_path)
    with KedroSession.create(project_path=project_path, env=env) as session:
        context = session.load_context()
        version = Version(model_version, None) if model_version else None
        dataset = context.catalog.get(inference.MODEL_BUNDLE, version=version)
        if dataset is None:
            raise BundleNotFoundError(f"{inference.MODEL_BUNDLE}: not in the catalog")
        bundle = dataset.load()
        params = context.params
    service = ScoringService(
        bundle=bundle,
        params=params,
        settings=ApiSettings.model_validate(params.get("api") or {}),
    )
    logger.info(
        "Loaded model bundle %s of environment %r (%d segments)",
        service.model_version,
        bundle.environment,
        bundle.n_segments,
    )
    return service
