"""Seeded generator of the built-in online-retail sample with planted customer groups.

Run ``python -m customer_segmentation.sample_data --help`` to regenerate the sample
that ships in ``data/01_raw/`` at any size. Above ``--block-customers`` customers the
sample is drawn and written one block of customers at a time, so that its memory
does not grow with the size: block 0 is the sample of that many customers with the
same seed, and each later block has its own seed, customer ids and invoice numbers.
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

logger = logging.getLogger(__name__)

PERIOD_END = pd.Timestamp("2025-11-30 18:00:00")
PERIOD_DAYS = 730
N_PRODUCTS = 1500
COUNTRIES = np.array(
    ["United Kingdom", "Germany", "France", "Netherlands", "Spain", "Ireland"]
)
ZERO_PRICE_SHARE = 0.004
FIRST_CUSTOMER_ID = 12_000
FIRST_INVOICE = 500_000
BLOCK_CUSTOMERS = 1_000_000
COUNTRY_WEIGHTS = np.array([0.80, 0.06, 0.05, 0.03, 0.03, 0.03])


@dataclass(frozen=True)
class PlantedGroup:
    """Behaviour of one planted customer group.

    Ranges are ``(low, high)``; values are drawn log-uniformly inside them, so the
    groups overlap at their edges and the distributions are right-skewed.
    """

    name: str
    share: float
    orders: tuple[float, float]
    recency_days: tuple[float, float]
    extra_tenure_days: tuple[float, float]
    order_value: tuple[float, float]
    age_mean: float


GROUPS: tuple[PlantedGroup, ...] = (
    PlantedGroup("champions", 0.10, (12, 50), (1, 21), (380, 700), (220, 800), 41),
    PlantedGroup("loyal", 0.17, (5, 16), (5, 60), (220, 620), (60, 200), 46),
    PlantedGroup("big_spenders", 0.07, (2, 4), (10, 150), (20, 320), (1100, 4500), 52),
    PlantedGroup("new", 0.16, (1, 2), (1, 45), (0, 25), (35, 170), 29),
    PlantedGroup("at_risk", 0.18, (4, 13), (140, 360), (180, 400), (90, 340), 44),
    PlantedGroup("hibernating", 0.32, (1, 2), (280, 720), (0, 30), (12, 75), 38),
)


@dataclass(frozen=True)
class SampleData:
    """The three tables of the sample: raw transactions, attributes and planted truth."""

    transactions: pd.DataFrame
    customers: pd.DataFrame
    truth: pd.DataFrame


def _log_uniform(
    rng: np.random.Generator, bounds: tuple[float, float], size: int
) -> np.ndarray:
    low, high = np.log1p(bounds[0]), np.log1p(bounds[1])
    return np.expm1(rng.uniform(low, high, size))


def _draw_customers(
    rng: np.random.Generator, n_customers: int, first_id: int
) -> pd.DataFrame:
    shares = np.array([group.share for group in GROUPS])
    group_index = rng.choice(len(GROUPS), size=n_customers, p=shares / shares.sum())
    columns: dict[str, np.ndarray] = {
        name: np.empty(n_customers)
        for name in ("orders", "recency", "extra_tenure", "order_value", "age")
    }
    for index, group in enumerate(GROUPS):
        members = group_index == index
        size = int(members.sum())
        columns["orders"][members] = np.round(_log_uniform(rng, group.orders, size))
        columns["recency"][members] = _log_uniform(rng, group.recency_days, size)
        columns["extra_tenure"][members] = _log_uniform(
            rng, group.extra_tenure_days, size
        )
        columns["order_value"][members] = _log_uniform(rng, group.order_value, size)
        columns["age"][members] = rng.normal(group.age_mean, 11, size)
    orders = np.maximum(columns["orders"], 1).astype(int)
    recency = np.minimum(columns["recency"], PERIOD_DAYS - 1)
    # A single-order customer has no span between first and last purchase.
    tenure = np.where(
        orders > 1,
        np.minimum(recency + columns["extra_tenure"] + 1, PERIOD_DAYS),
        recency,
    )
    customer_ids = rng.permutation(np.arange(first_id, first_id + n_customers))
    return pd.DataFrame(
        {
            "customer_id": customer_ids,
            "group": np.array([group.name for group in GROUPS])[group_index],
            "orders": orders,
            "recency": recency,
            "tenure": tenure,
            "order_value": columns["order_value"],
            "age": np.clip(np.round(columns["age"]), 18, 90).astype(int),
            "country": rng.choice(COUNTRIES, size=n_customers, p=COUNTRY_WEIGHTS),
        }
    )


def _draw_orders(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    n_orders = customers["orders"].to_numpy()
    owner = np.repeat(np.arange(len(customers)), n_orders)
    recency = customers["recency"].to_numpy()[owner]
    tenure = customers["tenure"].to_numpy()[owner]
    # The first order of each customer sits at its tenure, the last at its recency;
    # the orders in between fall uniformly in that span.
    position = np.concatenate([np.arange(count) for count in n_orders])
    last = np.repeat(n_orders - 1, n_orders)
    fraction = np.where(
        position == 0,
        0.0,
        np.where(position == last, 1.0, rng.uniform(size=len(owner))),
    )
    days_before_end = tenure - fraction * (tenure - recency)
    seconds = np.floor(rng.uniform(8 * 3600, 18 * 3600, len(owner)))
    invoice_date = (
        PERIOD_END.normalize()
        - pd.to_timedelta(np.floor(days_before_end), unit="D")
        + pd.to_timedelta(seconds, unit="s")
    )
    value = customers["order_value"].to_numpy()[owner] * rng.lognormal(
        0, 0.35, len(owner)
    )
    return pd.DataFrame(
        {
            "owner": owner,
            "invoice_date": invoice_date,
            "value": value,
            "country": customers["country"].to_numpy()[owner],
        }
    ).sort_values("invoice_date", kind="stable", ignore_index=True)


def _draw_lines(
    rng: np.random.Generator,
    orders: pd.DataFrame,
    customer_ids: np.ndarray,
    first_invoice: int,
) -> pd.DataFrame:
    product_prices = np.round(rng.lognormal(1.0, 0.8, N_PRODUCTS) + 0.2, 2)
    popularity = 1.0 / np.arange(1, N_PRODUCTS + 1) ** 0.9
    popularity /= popularity.sum()
    n_lines = 1 + rng.poisson(3.0, len(orders))
    order_index = np.repeat(np.arange(len(orders)), n_lines)
    product = rng.choice(N_PRODUCTS, size=len(order_index), p=popularity)
    unit_price = product_prices[product]
    line_value = orders["value"].to_numpy()[order_index] / n_lines[order_index]
    quantity = np.maximum(1, np.round(line_value / unit_price)).astype(int)
    invoice_number = first_invoice + np.arange(len(orders))
    return pd.DataFrame(
        {
            "customer_id": pd.array(
                customer_ids[orders["owner"].to_numpy()[order_index]], dtype="Int64"
            ),
            "invoice_id": invoice_number[order_index].astype(str),
            "invoice_date": orders["invoice_date"].to_numpy()[order_index],
            "product_id": pd.Series(product + 1).map("P{:05d}".format).to_numpy(),
            "quantity": quantity,
            "unit_price": unit_price,
            "country": orders["country"].to_numpy()[order_index],
        }
    )


def _add_dirt(rng: np.random.Generator, lines: pd.DataFrame) -> pd.DataFrame:
    """Adds the faults real exports have: guests, cancellations, returns, zero prices, duplicates."""
    n_lines = len(lines)
    guests = lines.sample(frac=0.03, random_state=rng).assign(
        customer_id=pd.NA, invoice_id=lambda frame: "G" + frame["invoice_id"]
    )
    cancelled = lines.sample(frac=0.015, random_state=rng).assign(
        invoice_id=lambda frame: "C" + frame["invoice_id"],
        quantity=lambda frame: -frame["quantity"],
        invoice_date=lambda frame: (
            frame["invoice_date"]
            + pd.to_timedelta(
                np.floor(rng.uniform(8_640, 432_000, len(frame))), unit="s"
            )
        ),
    )
    cancelled = cancelled[cancelled["invoice_date"] <= PERIOD_END]
    returned = lines.sample(frac=0.005, random_state=rng).assign(
        quantity=lambda frame: -np.maximum(1, frame["quantity"] // 2)
    )
    zero_priced = rng.uniform(size=n_lines) < ZERO_PRICE_SHARE
    lines = lines.assign(
        unit_price=np.where(zero_priced, 0.0, lines["unit_price"].to_numpy())
    )
    duplicates = lines.sample(frac=0.01, random_state=rng)
    dirty = pd.concat([lines, guests, cancelled, returned, duplicates])
    return dirty.sort_values(
        ["invoice_date", "invoice_id"], kind="stable", ignore_index=True
    )


def _draw_attributes(rng: np.random.Generator, customers: pd.DataFrame) -> pd.DataFrame:
    first_purchase = PERIOD_END.normalize() - pd.to_timedelta(
        np.floor(customers["tenure"].to_numpy()), unit="D"
    )
    signup_lead = pd.to_timedelta(rng.integers(0, 400, len(customers)), unit="D")
    gender = rng.choice(
        np.array(["F", "M", "unknown"]), size=len(customers), p=[0.52, 0.45, 0.03]
    )
    channel = rng.choice(
        np.array(["web", "store", "app"]), size=len(customers), p=[0.5, 0.3, 0.2]
    )
    return pd.DataFrame(
        {
            "customer_id": customers["customer_id"].to_numpy(),
            "age": customers["age"].to_numpy(),
            "gender": gender,
            "signup_date": (first_purchase - signup_lead).strftime("%Y-%m-%d"),
            "channel": channel,
        }
    ).sort_values("customer_id", ignore_index=True)


def generate_sample(
    n_customers: int = 5_000,
    seed: int | list[int] = 42,
    first_customer_id: int = FIRST_CUSTOMER_ID,
    first_invoice: int = FIRST_INVOICE,
) -> SampleData:
    """Generates the online-retail sample with planted behavioural groups.

    Args:
        n_customers: Number of identified customers to generate.
        seed: Seed of the random generator; the same seed gives the same tables.
        first_customer_id: Customer ids are this and the next ``n_customers - 1``.
        first_invoice: Invoice numbers count up from this one.

    Returns:
        The raw transaction lines (with cancellations, returns, guest orders without
        customer id, zero prices and duplicate lines), one attribute row per customer,
        and the planted group of every customer.

    Raises:
        ValueError: If ``n_customers`` is smaller than the number of planted groups.
    """
    if n_customers < len(GROUPS):
        raise ValueError(
            f"n_customers={n_customers} should be >= the number of planted "
            f"groups={len(GROUPS)}"
        )
    rng = np.random.default_rng(seed)
    customers = _draw_customers(rng, n_customers, first_customer_id)
    orders = _draw_orders(rng, customers)
    lines = _draw_lines(rng, orders, customers["customer_id"].to_numpy(), first_invoice)
    transactions = _add_dirt(rng, lines)
    truth = (
        customers[["customer_id", "group"]]
        .rename(columns={"group": "planted_group"})
        .sort_values("customer_id", ignore_index=True)
    )
    return SampleData(transactions, _draw_attributes(rng, customers), truth)


def _sample_paths(output_dir: Path) -> list[Path]:
    """The transactions, attributes and truth files of a sample (the folder is created)."""
    output_dir.mkdir(parents=True, exist_ok=True)
    return [
        output_dir / "transactions.parquet",
        output_dir / "customers.csv",
        output_dir / "sample_truth.csv",
    ]


def write_sample(sample: SampleData, output_dir: Path) -> list[Path]:
    """Writes the sample tables where the catalog expects them.

    Args:
        sample: Tables from :func:`generate_sample`.
        output_dir: Folder to write into (created when missing).

    Returns:
        The paths written.
    """
    paths = _sample_paths(output_dir)
    sample.transactions.to_parquet(paths[0], index=False, compression="zstd")
    sample.customers.to_csv(paths[1], index=False)
    sample.truth.to_csv(paths[2], index=False)
    return paths


def _blocks(n_customers: int, block_customers: int) -> list[tuple[int, int]]:
    """(first customer, size) of each block; a remainder too small for every group joins the last."""
    blocks = [
        (first, min(block_customers, n_customers - first))
        for first in range(0, n_customers, block_customers)
    ]
    if len(blocks) > 1 and blocks[-1][1] < len(GROUPS):
        (first, size), (_, remainder) = blocks[-2], blocks.pop()
        blocks[-1] = (first, size + remainder)
    return blocks


def write_sample_in_blocks(
    n_customers: int,
    seed: int,
    output_dir: Path,
    block_customers: int = BLOCK_CUSTOMERS,
) -> tuple[list[Path], int]:
    """Generates and writes a sample of any size one block of customers at a time.

    With ``n_customers <= block_customers`` this writes ``generate_sample(n_customers,
    seed)``. Above, block 0 is ``generate_sample(block_customers, seed)`` and block
    ``i`` is drawn with the seed ``[seed, i]``; ids and invoice numbers follow on from
    the previous block's, so no two blocks share a customer or an invoice. Each
    block's lines are sorted by date; the file is not sorted across blocks.

    Args:
        n_customers: Customers of the whole sample.
        seed: Seed of the first block.
        output_dir: Folder to write into (created when missing).
        block_customers: Customers drawn and held in memory at a time.

    Returns:
        The paths written and the number of transaction lines.
    """
    if n_customers <= block_customers:
        sample = generate_sample(n_customers, seed)
        return write_sample(sample, output_dir), len(sample.transactions)
    paths = _sample_paths(output_dir)
    writer: pq.ParquetWriter | None = None
    next_invoice, n_lines = FIRST_INVOICE, 0
    try:
        for block, (first, size) in enumerate(_blocks(n_customers, block_customers)):
            sample = generate_sample(
                size,
                seed if block == 0 else [seed, block],
                first_customer_id=FIRST_CUSTOMER_ID + first,
                first_invoice=next_invoice,
            )
            lines = pa.Table.from_pandas(sample.transactions, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(paths[0], lines.schema, compression="zstd")
            writer.write_table(lines.cast(writer.schema))
            for path, table in zip(
                paths[1:], (sample.customers, sample.truth), strict=True
            ):
                table.to_csv(
                    path, index=False, mode="a" if block else "w", header=not block
                )
            invoices = sample.transactions["invoice_id"].str.lstrip("GC").astype(int)
            next_invoice = int(invoices.max()) + 1
            n_lines += len(sample.transactions)
            logger.info("block %d: %d customers, %d lines", block, size, n_lines)
    finally:
        if writer is not None:
            writer.close()
    return paths, n_lines


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point: regenerates the sample at any size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--output-dir", type=Path, default=Path("data/01_raw"))
    parser.add_argument(
        "--block-customers",
        type=int,
        default=BLOCK_CUSTOMERS,
        help="customers drawn and held in memory at a time",
    )
    arguments = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    paths, n_lines = write_sample_in_blocks(
        arguments.customers,
        arguments.seed,
        arguments.output_dir,
        arguments.block_customers,
    )
    for path in paths:
        logger.info("wrote %s", path)
    logger.info("%d transaction lines, %d customers", n_lines, arguments.customers)


if __name__ == "__main__":
    main()
