"""Nodes that aggregate clean transactions into one feature row per customer."""

from __future__ import annotations

import logging

import ibis
import ibis.expr.types as ir
import numpy as np
import pandas as pd

from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)
from customer_segmentation.pipelines.data_processing.nodes import (
    InputKind,
    check_input_kind,
    select_clean_customers,
)
from customer_segmentation.pipelines.data_processing.settings import ReadingChecks
from customer_segmentation.pipelines.modeling.settings import ModelFeatures

from .derived import add_derived_features
from .settings import DerivedFeatures, FeatureSettings, ModelInputChecks

logger = logging.getLogger(__name__)

SECONDS_PER_DAY = 86_400
# Without a set reference date, recency is measured this long after the last line.
DEFAULT_REFERENCE_OFFSET = pd.Timedelta(days=1)


def days_between(later: ir.Value, earlier: ir.Value) -> ir.Value:
    """Counts the whole days from one timestamp to another.

    Args:
        later: The later timestamp (column or literal).
        earlier: The earlier timestamp.

    Returns:
        ``later - earlier`` in days, rounded down.
    """
    seconds = later.epoch_seconds() - earlier.epoch_seconds()
    return (seconds / SECONDS_PER_DAY).floor()


def resolve_reference_date(
    clean_transactions: ir.Table, settings: FeatureSettings, input_kind: InputKind
) -> pd.Timestamp:
    """Picks the date recency and tenure are measured at.

    Args:
        clean_transactions: Clean transaction lines.
        settings: Feature settings; a set ``reference_date`` wins.
        input_kind: ``transactions``, ``attributes`` or ``both``.

    Returns:
        ``settings.reference_date`` when set, else the last transaction time plus
        one day; ``NaT`` for attribute-only input, which has no recency.

    Raises:
        ValueError: If ``input_kind`` is unknown, or no reference date is set and
            there are no transactions.
        InputValidationError: If the set reference date is before the last clean
            transaction (the message gives both dates).
    """
    check_input_kind(input_kind)
    if input_kind == "attributes":
        return (
            pd.NaT
            if settings.reference_date is None
            else pd.Timestamp(settings.reference_date)
        )
    return reference_date_after(
        clean_transactions.invoice_date.max().execute(), settings
    )


def reference_date_after(last: object, settings: FeatureSettings) -> pd.Timestamp:
    """The reference date of transactions whose last clean line is at ``last``.

    Args:
        last: Time of the last clean transaction line (``None`` or ``NaT`` when
            there is none).
        settings: Feature settings; a set ``reference_date`` wins.

    Returns:
        ``settings.reference_date`` when set, else ``last`` plus one day.

    Raises:
        InputValidationError: If there is no last line and no reference date is
            set, or the set reference date is before ``last`` (the message gives
            both dates).
    """
    if settings.reference_date is not None:
        reference = pd.Timestamp(settings.reference_date)
        if last is not None and not pd.isna(last) and reference < pd.Timestamp(last):
            raise InputValidationError(
                f"clean_transactions: column 'invoice_date' has its last clean line "
                f"at {pd.Timestamp(last)}, after feature_settings.reference_date "
                f"{reference} (rule: reference date not before the data); recency "
                "would be negative: set a later reference date or null"
            )
        return reference
    if last is None or pd.isna(last):
        raise InputValidationError(
            "clean_transactions: no rows left after cleaning, so no reference date "
            "can be derived; check the data quality report"
        )
    reference = pd.Timestamp(last) + DEFAULT_REFERENCE_OFFSET
    logger.info("Reference date for recency and tenure: %s", reference)
    return reference


def _main_country(per_country: ir.Table) -> ir.Table:
    # The most frequent country; ties go to the first name in sort order, so the
    # result does not depend on the order of the lines (unlike a plain mode).
    counted = per_country.filter(per_country.country.notnull())
    ranked = counted.mutate(
        rank=ibis.row_number().over(
            group_by="customer_id", order_by=[ibis.desc("purchase_lines"), "country"]
        )
    )
    return ranked.filter(ranked["rank"] == 0).select("customer_id", "country")


def _features_from_transactions(
    customer_orders: ir.Table,
    clean_transactions: ir.Table,
    returned_transactions: ir.Table,
    reference_date: pd.Timestamp,
) -> ir.Table:
    reference = ibis.literal(pd.Timestamp(reference_date)).cast("timestamp")
    orders = customer_orders
    # A purchase may have several order rows (days or countries): counted once.
    totals = orders.group_by("customer_id").agg(
        first_purchase=orders.first_line_at.min(),
        last_purchase=orders.last_line_at.max(),
        monetary=orders.revenue.sum(),
        purchase_lines=orders.lines.sum(),
        frequency=orders.purchase.nunique(),
    )
    per_country = orders.group_by(["customer_id", "country"]).agg(
        purchase_lines=orders.lines.sum()
    )
    # The product breadth is the one feature that needs the lines themselves.
    lines = clean_transactions
    products = lines.group_by("customer_id").agg(
        distinct_products=lines.product_id.nunique()
    )
    # Null-safe: lines kept without a customer id (drop_missing_customer_id off)
    # stay one group, as in a single aggregate.
    purchases = totals.join(
        products, totals.customer_id.identical_to(products.customer_id)
    ).drop("customer_id_right")
    returns = returned_transactions.group_by("customer_id").agg(
        returned_lines=returned_transactions.count()
    )
    joined = (
        purchases.left_join(returns, "customer_id")
        .drop("customer_id_right")
        .left_join(_main_country(per_country), "customer_id")
        .drop("customer_id_right")
    )
    returned_lines = joined.returned_lines.fill_null(0)
    span_days = days_between(joined.last_purchase, joined.first_purchase)
    features = joined.select(
        "customer_id",
        recency_days=days_between(reference, joined.last_purchase),
        frequency=joined.frequency,
        monetary=joined.monetary,
        average_order_value=joined.monetary / joined.frequency,
        tenure_days=days_between(reference, joined.first_purchase),
        mean_days_between_purchases=ibis.ifelse(
            joined.frequency > 1, span_days / (joined.frequency - 1), ibis.null()
        ),
        distinct_products=joined.distinct_products,
        return_rate=returned_lines / (joined.purchase_lines + returned_lines),
        country=joined.country,
    )
    if int(clean_transactions.product_id.count().execute()) == 0:
        # Never a stand-in: without product ids there is no product breadth.
        logger.info("No product ids in the input: distinct_products is left out")
        features = features.drop("distinct_products")
    return features


def compute_customer_features(
    customer_orders: ir.Table,
    clean_transactions: ir.Table,
    returned_transactions: ir.Table,
    flagged_customers: ir.Table,
    reference_date: pd.Timestamp,
    *,
    input_kind: InputKind,
    derived_features: DerivedFeatures | None = None,
    reading_checks: ReadingChecks | None = None,
) -> ir.Table:
    """Builds one feature row per customer from transactions, attributes or both.

    Args:
        customer_orders: Output of ``aggregate_customer_orders``: the clean
            lines summed per order.
        clean_transactions: Clean purchase lines (for the product breadth).
        returned_transactions: Cancelled and returned lines of identified customers.
        flagged_customers: Customer attributes with the ``drop_reason`` of the
            customer cleaning (null for kept rows).
        reference_date: Date recency and tenure are measured at (unused for
            attribute-only input).
        input_kind: ``transactions``: RFM and behaviour features of every customer
            with a clean purchase; ``attributes``: the kept attribute rows;
            ``both``: the transaction features joined with the attributes, without
            the customers the customer cleaning dropped.
        derived_features: Columns computed from the others (see
            :class:`DerivedFeatures`); ``None`` adds none.
        reading_checks: The gap rule of ``years_since`` features (see
            :func:`add_derived_features`); ``None``: the defaults.

    Returns:
        One row per customer, ordered by ``customer_id``. From transactions:
        ``recency_days``, ``frequency`` (distinct invoices), ``monetary`` (net
        revenue), ``average_order_value``, ``tenure_days``,
        ``mean_days_between_purchases`` (null for one-invoice customers),
        ``distinct_products``, ``return_rate`` (returned lines over all lines),
        ``country`` (the most frequent); from attributes: the attribute columns;
        then the derived features. A purchase is an invoice, or one customer's
        calendar day when the input has no invoice ids; ``distinct_products`` is
        left out when it has no product ids.

    Raises:
        ValueError: If ``input_kind`` is unknown.
        InputValidationError: If a derived feature is invalid (see
            :func:`add_derived_features`).
    """
    check_input_kind(input_kind)
    derived = derived_features or DerivedFeatures()
    kept_customers = select_clean_customers(flagged_customers)
    if input_kind == "attributes":
        features = kept_customers
    else:
        features = _features_from_transactions(
            customer_orders, clean_transactions, returned_transactions, reference_date
        )
        dropped = flagged_customers.filter(flagged_customers.drop_reason.notnull())
        features = features.anti_join(dropped, "customer_id")
        features = features.left_join(kept_customers, "customer_id").drop(
            "customer_id_right"
        )
    features = add_derived_features(features, derived, reference_date, reading_checks)
    return features.order_by("customer_id")


def _constant_cause(column: str, value: object) -> str:
    # What a constant feature most likely says about the input, before the
    # advice to drop it (which would let the run go on with that input).
    if column == "frequency" and value == 1:
        return (
            "every customer has exactly one purchase, as when the customer ids are "
            "written per order (a guest checkout's id, or an invoice id mapped as "
            "transactions_schema.columns.customer_id): check the ids first; "
        )
    return "check how the input makes it first; "


def _check_model_input(
    model_input: pd.DataFrame, columns: list[str], checks: ModelInputChecks
) -> None:
    n_customers = len(model_input)
    if n_customers < checks.min_customers:
        raise InputValidationError(
            f"customer_features: n_customers={n_customers} should be >= "
            f"model_input_checks.min_customers={checks.min_customers} (rule: "
            "enough customers); check the data quality report"
        )
    for column in columns:
        values = model_input[column]
        if pd.api.types.is_numeric_dtype(values):
            infinite = values[np.isinf(values.astype("float64"))]
            if len(infinite):
                raise InputValidationError(
                    f"customer_features: column '{column}' has {len(infinite)} "
                    f"infinite value(s) (rule: finite features); examples: "
                    f"{infinite.head(3).tolist()}"
                )
        if checks.reject_all_missing_features and values.isna().all():
            raise InputValidationError(
                f"customer_features: column '{column}' is missing for all "
                f"{n_customers} customers (rule: feature not all missing); drop it "
                "from model_features"
            )
        if (
            checks.reject_constant_features
            and n_customers > 1
            and values.nunique(dropna=True) == 1
        ):
            value = values.dropna().tolist()[0]
            raise InputValidationError(
                f"customer_features: column '{column}' has the single value "
                f"{value!r} for every customer (rule: feature varies); "
                f"{_constant_cause(column, value)}drop it from model_features only "
                "if the input is right and the feature cannot vary in it"
            )


def select_model_input(
    customer_features: pd.DataFrame,
    model_features: ModelFeatures,
    model_input_checks: ModelInputChecks,
) -> pd.DataFrame:
    """Picks the columns that feed the model and checks they can be clustered.

    Args:
        customer_features: One row per customer.
        model_features: Numeric and categorical feature columns.
        model_input_checks: Which checks on the chosen columns apply.

    Returns:
        ``customer_id``, the chosen columns in the configured order, and the
        ``order_segments_by`` column.

    Raises:
        ValueError: If no feature is chosen, a chosen column does not exist, there
            are too few customers, or a chosen column is infinite somewhere,
            missing everywhere or constant (each check named in the message).
    """
    chosen = [*model_features.numeric, *model_features.categorical]
    if not chosen:
        raise ValueError(
            "model_features: choose at least one numeric or categorical column"
        )
    wanted = [*chosen, model_features.order_segments_by]
    missing = [column for column in wanted if column not in customer_features.columns]
    if missing:
        raise ValueError(
            f"model_features: column(s) {missing} not in customer_features; "
            f"available: {list(customer_features.columns)}"
        )
    columns = ["customer_id", *dict.fromkeys(wanted)]
    model_input = customer_features[columns].copy()
    _check_model_input(model_input, chosen, model_input_checks)
    return model_input
