"""Loads the model bundle and settings once, and scores features or raw transactions.

Raw transactions go through the data processing, feature engineering and inference
node functions themselves, on an in-memory DuckDB database, so a customer gets the
segment the batch pipeline would give it.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import pandas as pd
import pyarrow as pa
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.io.core import Version

from customer_segmentation.bundle import BundleNotFoundError, ModelBundle
from customer_segmentation.pipelines.customer_value.models import (
    predict_customer_value,
)
from customer_segmentation.pipelines.customer_value.nodes import (
    summarise_customer_purchases,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
)
from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    TransactionsSchema,
    attribute_mapping,
    flag_customers,
    flag_transactions,
    select_clean_transactions,
    select_returned_transactions,
    standardise_customers,
    standardise_transactions,
)
from customer_segmentation.pipelines.feature_engineering.derived import (
    DerivedFeatures,
)
from customer_segmentation.pipelines.feature_engineering.nodes import (
    FeatureSettings,
    ModelInputChecks,
    compute_customer_features,
    resolve_reference_date,
)
from customer_segmentation.pipelines.inference.nodes import (
    STATUS_NO_VALID_TRANSACTIONS,
    ScoringSettings,
    attach_customer_value,
    list_known_customers,
    score_customers,
    score_model_input,
    select_bundle_model_input,
    unscored_customers,
)

logger = logging.getLogger(__name__)

MODEL_BUNDLE_DATASET = "model_bundle"


@dataclass(frozen=True)
class ApiLimits:
    """Largest batches one request may carry.

    Attributes:
        max_customers: Customers per request in feature mode.
        max_transactions: Transaction lines per request in transaction mode.
    """

    max_customers: int = 10_000
    max_transactions: int = 200_000


@dataclass
class ScoringService:
    """Everything the API needs, loaded once at start.

    Scoring and naming come from the model bundle only; the settings below are
    the input contract (how raw lines are read and cleaned) and the API limits.

    Attributes:
        bundle: The published model bundle (model, feature spec, names,
            fingerprint, version).
        customers_schema: Training attribute schema (attribute columns accepted
            in transaction mode).
        cleaning_rules: Training cleaning rules.
        customer_cleaning_rules: Training attribute cleaning rules.
        scoring: Minimum history rule of the inference pipeline.
        model_input_checks: The inference pipeline's model-input checks.
        derived_features: Training derived features.
        reference_date: Configured reference date for new data, or ``None``.
        limits: Batch size limits.
        value_settings: Time unit, horizon and discount rate of the value.
    """

    bundle: ModelBundle
    customers_schema: CustomersSchema
    cleaning_rules: CleaningRules
    scoring: ScoringSettings
    customer_cleaning_rules: CustomerCleaningRules = field(
        default_factory=CustomerCleaningRules
    )
    model_input_checks: ModelInputChecks = field(default_factory=ModelInputChecks)
    derived_features: DerivedFeatures = field(default_factory=DerivedFeatures)
    reference_date: dt.datetime | None = None
    limits: ApiLimits = field(default_factory=ApiLimits)
    value_settings: CustomerValueSettings = field(default_factory=CustomerValueSettings)

    def __post_init__(self) -> None:
        self.model = self.bundle.segmentation_model
        self.model_version = str(self.bundle.version)
        self.model_features = self.bundle.feature_spec.model_features
        self.names_by_segment = self.bundle.segments.by_id()
        self.feature_names = self.bundle.feature_spec.names
        self.categorical = list(self.model_features.categorical)

    @property
    def algorithm(self) -> str | None:
        """Clustering algorithm of the model, when the model records it."""
        return getattr(self.model, "algorithm_", None)

    def score_features(self, rows: list[dict[str, Any]]) -> pd.DataFrame:
        """Scores customers whose feature values the caller sends.

        Args:
            rows: One mapping per customer: ``customer_id`` and every feature.

        Returns:
            The scored rows (see ``score_model_input``).
        """
        frame = pd.DataFrame.from_records(
            rows, columns=["customer_id", *self.feature_names]
        )
        numeric = [name for name in self.feature_names if name not in self.categorical]
        frame[numeric] = frame[numeric].astype("float64")
        return score_model_input(
            self.model, frame, self.names_by_segment, self.model_version
        )

    def score_feature_records(self, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Same as :meth:`score_features`, as JSON-ready records.

        Args:
            rows: One mapping per customer: ``customer_id`` and every feature.

        Returns:
            One record per row, nulls as ``None``.
        """
        return to_records(self.score_features(rows))

    def score_transaction_records(
        self,
        lines: list[dict[str, Any]],
        reference_date: dt.datetime | None,
        attributes: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """Same as :meth:`score_transactions`, as JSON-ready records.

        Args:
            lines: Transaction lines with the canonical column names.
            reference_date: See :meth:`score_transactions`.
            attributes: See :meth:`score_transactions`.

        Returns:
            One record per customer, nulls as ``None``.
        """
        return to_records(self.score_transactions(lines, reference_date, attributes))

    def score_transactions(
        self,
        lines: list[dict[str, Any]],
        reference_date: dt.datetime | None,
        attributes: list[dict[str, Any]] | None = None,
    ) -> pd.DataFrame:
        """Scores customers from their raw transaction lines.

        Args:
            lines: Transaction lines with the canonical column names.
            reference_date: Date recency is measured at; ``None`` falls back to
                the configured one, then to the day after the last clean line.
            attributes: Attribute rows (``customer_id`` and the attribute
                columns of ``customers_schema``); ``None`` = no attributes.

        Returns:
            One row per customer id in ``lines`` (see ``score_customers``).
        """
        connection = ibis.duckdb.connect()
        raw_transactions = connection.create_table(
            "raw_transactions", _transactions_table(lines)
        )
        raw_customers = connection.create_table(
            "raw_customers", _customers_table(attributes or [], self.customers_schema)
        )
        try:
            return self._score_tables(raw_transactions, raw_customers, reference_date)
        finally:
            connection.disconnect()

    def _score_tables(
        self,
        raw_transactions: Any,
        raw_customers: Any,
        reference_date: dt.datetime | None,
    ) -> pd.DataFrame:
        # A request always carries transactions; attributes only when it has some.
        has_attributes = int(raw_customers.count().execute()) > 0
        input_kind = "both" if has_attributes else "transactions"
        validated = standardise_transactions(
            raw_transactions, TransactionsSchema(), input_kind
        )
        customers = standardise_customers(
            raw_customers, self.customers_schema, input_kind
        )
        flagged_customers = flag_customers(customers, self.customer_cleaning_rules)
        flagged = flag_transactions(validated, self.cleaning_rules)
        clean = select_clean_transactions(flagged)
        returned = select_returned_transactions(flagged)
        known = list_known_customers(flagged, customers)
        if int(clean.count().execute()) == 0:
            return unscored_customers(
                known["customer_id"].tolist(),
                STATUS_NO_VALID_TRANSACTIONS,
                self.model_version,
            )
        settings = FeatureSettings(reference_date=reference_date or self.reference_date)
        reference = resolve_reference_date(clean, settings, input_kind)
        feature_table = compute_customer_features(
            clean,
            returned,
            flagged_customers,
            reference,
            input_kind,
            derived_features=self.derived_features,
        )
        features = feature_table.to_pandas()
        model_input = select_bundle_model_input(
            features, self.bundle, self.model_input_checks
        )
        segment_scores = score_customers(
            self.bundle,
            model_input,
            customer_features=features,
            known_customers=known,
            scoring=self.scoring,
        )
        purchase_summary = summarise_customer_purchases(
            clean, feature_table, reference, self.value_settings, input_kind
        ).to_pandas()
        customer_value = predict_customer_value(
            self.bundle.customer_value_models, purchase_summary, self.value_settings
        )
        return attach_customer_value(segment_scores, customer_value)


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Turns scored rows into JSON-ready dicts: missing values become ``None``.

    Args:
        frame: Scored rows.

    Returns:
        One dict per row with Python scalars.
    """
    # Column by column: several times faster than DataFrame.to_dict on small frames.
    columns = {
        name: [None if _is_missing(value) else value for value in frame[name].tolist()]
        for name in frame.columns
    }
    return [
        dict(zip(columns, values, strict=True))
        for values in zip(*columns.values(), strict=True)
    ]


def _is_missing(value: Any) -> bool:
    return (
        value is None
        or value is pd.NA
        or (isinstance(value, float) and math.isnan(value))
    )


def _transactions_table(lines: list[dict[str, Any]]) -> pa.Table:
    schema = pa.schema(
        [
            ("customer_id", pa.string()),
            ("invoice_id", pa.string()),
            ("invoice_date", pa.timestamp("us")),
            ("product_id", pa.string()),
            ("quantity", pa.float64()),
            ("unit_price", pa.float64()),
            ("country", pa.string()),
        ]
    )
    return pa.Table.from_pylist(lines, schema=schema)


def _customers_table(
    attributes: list[dict[str, Any]], schema: CustomersSchema
) -> pa.Table:
    # The API uses canonical names; the raw file (and so the schema) may not.
    kinds = (
        (schema.numeric, pa.float64()),
        (schema.categorical, pa.string()),
        (schema.dates, pa.timestamp("us")),
    )
    raw_name_of = {
        canonical: (raw, arrow_type)
        for columns, arrow_type in kinds
        for canonical, raw in attribute_mapping(columns).items()
    }
    id_column = schema.customer_id or "customer_id"
    fields = [(id_column, pa.string())] + list(raw_name_of.values())
    rows = [
        {id_column: row["customer_id"]}
        | {raw: row.get(canonical) for canonical, (raw, _) in raw_name_of.items()}
        for row in attributes
    ]
    return pa.Table.from_pylist(rows, schema=pa.schema(fields))


def load_scoring_service(
    project_path: Path | str,
    env: str | None = None,
    model_version: str | None = None,
) -> ScoringService:
    """Loads the environment's model bundle and settings through the Kedro catalog.

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
        dataset = context.catalog.get(MODEL_BUNDLE_DATASET, version=version)
        if dataset is None:
            raise BundleNotFoundError(f"{MODEL_BUNDLE_DATASET}: not in the catalog")
        bundle = dataset.load()
        params = context.params
    inference = params.get("inference", {})
    service = ScoringService(
        bundle=bundle,
        # Kedro may already have turned typed parameters into their models.
        customers_schema=CustomersSchema.model_validate(params["customers_schema"]),
        cleaning_rules=CleaningRules.model_validate(params["cleaning_rules"]),
        customer_cleaning_rules=CustomerCleaningRules.model_validate(
            params.get("customer_cleaning_rules", {})
        ),
        model_input_checks=ModelInputChecks.model_validate(
            inference.get("model_input_checks", {})
        ),
        scoring=ScoringSettings.model_validate(inference.get("scoring", {})),
        derived_features=DerivedFeatures.model_validate(
            params.get("derived_features", {})
        ),
        reference_date=FeatureSettings.model_validate(
            inference.get("feature_settings", {})
        ).reference_date,
        limits=ApiLimits(**params.get("api", {})),
        value_settings=CustomerValueSettings.model_validate(
            params.get("customer_value", {})
        ),
    )
    logger.info(
        "Loaded model bundle %s of environment %r (%d segments)",
        service.model_version,
        bundle.environment,
        bundle.n_segments,
    )
    return service
