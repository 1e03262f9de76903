"""Node that renders the body of the customer value section of the HTML report.

The report's page draws the section around it (``customer-value`` in its list of
sections), so the fragment has no ``<section>`` or heading of its own.
"""

from __future__ import annotations

from typing import Any

import jinja2
import pandas as pd
from matplotlib.colors import to_hex

from customer_segmentation.pipelines.reporting.plot_style import segment_colours
from customer_segmentation.pipelines.reporting.profiles import SEGMENT_COLUMN
from customer_segmentation.pipelines.reporting.report import png_to_base64
from customer_segmentation.pipelines.reporting.report_content import percent
from customer_segmentation.pipelines.reporting.settings import ReportSettings

from .models import STATUS_FITTED, STATUS_SKIPPED
from .settings import CustomerValueSettings

SECTION_TEMPLATE = """{% if record.status == "fitted" %}
  <p>Expected purchases and probability alive from the BG/NBD model
     (r {{ "%.3f"|format(bg.r) }}, alpha {{ "%.3f"|format(bg.alpha) }},
     a {{ "%.3f"|format(bg.a) }}, b {{ "%.3f"|format(bg.b) }}; log-likelihood
     {{ "%.1f"|format(record.bg_nbd.log_likelihood) }}), spend per purchase from the
     Gamma-Gamma model (p {{ "%.2f"|format(gg.p) }}, q {{ "%.2f"|format(gg.q) }},
     gamma {{ "%.2f"|format(gg.v) }}); time unit: {{ record.time_unit }}. CLV is the
     expected spend over the next {{ settings.horizon_months }} months, discounted at
     {{ percent(settings.discount_rate) }} a month, in {{ currency }}.</p>
  <div class="cards">
    {% for row in segments %}
    <div class="card value-card" style="--colour: {{ row.colour }}">
      <h3>{{ row.segment_id }} &middot; {{ row.segment_name }}</h3>
      <p class="muted">mean CLV {{ money(row.mean_clv) }} {{ currency }} &middot;
        probability alive {{ percent(row.mean_probability_alive) }} (of its repeat
        buyers; {{ percent(row.one_time_share) }} bought once) &middot;
        {{ percent(row.future_value_share) }} of future value,
        {{ percent(row.past_revenue_share) }} of past revenue</p>
      {% if row.value_verdict %}
      <p class="action"><strong>Value:</strong> {{ row.value_verdict }}</p>
      {% endif %}
    </div>
    {% endfor %}
  </div>
  <table>
    <tr><th>Segment</th><th>Customers</th><th>Total CLV ({{ currency }})</th>
        <th>Mean CLV ({{ currency }})</th>
        <th>Share of future value</th><th>Share of past revenue</th>
        <th>Bought once</th><th>Mean probability alive (repeat buyers)</th></tr>
    {% for row in segments %}
    <tr><td>{{ row.segment_id }} &middot; {{ row.segment_name }}</td>
        <td class="number">{{ "{:,}".format(row.n_customers) }}</td>
        <td class="number">{{ money(row.total_clv) }}</td>
        <td class="number">{{ money(row.mean_clv) }}</td>
        <td class="number">{{ percent(row.future_value_share) }}</td>
        <td class="number">{{ percent(row.past_revenue_share) }}</td>
        <td class="number">{{ percent(row.one_time_share) }}</td>
        <td class="number">{{ percent(row.mean_probability_alive) }}</td></tr>
    {% endfor %}
  </table>
  {% else %}
  <p>No lifetime value for this data: {{ reason }}</p>
  {% endif %}
  {% if calibration.status == "fitted" %}
  <p>Holdout check: fitted on the purchases up to {{ calibration.calibration_end }},
     the model predicts {{ "{:,.0f}".format(calibration.predicted_holdout_purchases) }}
     repeat purchases in the next {{ "%.1f"|format(calibration.holdout_length) }}
     {{ record.time_unit }}; customers made
     {{ "{:,.0f}".format(calibration.actual_holdout_purchases) }}.</p>
  {% endif %}
  {% for plot in plots %}
  <figure>
    <img src="data:image/png;base64,{{ plot.data }}" alt="{{ plot.caption }}">
    <figcaption>{{ plot.caption }}</figcaption>
  </figure>
  {% endfor %}
"""

_REASONS = {
    "insufficient_repeat_data": "too few customers bought more than once to fit "
    "the models.",
}


def _money(value: Any) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):,.0f}"


def _segment_rows(segment_value: pd.DataFrame) -> list[dict[str, Any]]:
    # The colour of each segment in every plot and card of the report.
    rows = segment_value.sort_values(SEGMENT_COLUMN).to_dict("records")
    segments = [int(row[SEGMENT_COLUMN]) for row in rows]
    colours = segment_colours(max(segments, default=0) + 1)
    return [
        row | {"colour": to_hex(colours[segment])}
        for row, segment in zip(rows, segments, strict=True)
    ]


def render_customer_value_section(  # noqa: PLR0913, PLR0917 - Kedro passes node inputs by position
    segment_value: pd.DataFrame,
    customer_value_model_selection: dict[str, Any],
    customer_value_calibration: pd.DataFrame,
    settings: CustomerValueSettings,
    report: ReportSettings,
    segment_value_plot: bytes,
    customer_value_calibration_plot: bytes,
) -> str:
    """Renders the report's customer value section: table per segment and plots.

    Args:
        segment_value: Output of ``summarise_segment_value``.
        customer_value_model_selection: Output of ``record_value_model_selection``.
        customer_value_calibration: Table of ``check_purchase_model_calibration``.
        settings: Horizon and discount rate of the lifetime value.
        report: Currency.
        segment_value_plot: The PNG file ``plot_segment_value`` saved.
        customer_value_calibration_plot: The PNG file ``plot_value_calibration``
            saved.

    Returns:
        The HTML body of the section: one card per segment with its value
        verdict, the table and the plots (text from the data escaped),
        self-contained: the saved plot files are embedded as base64 PNG. Empty
        for data without purchases (status ``skipped``): the report leaves the
        section out.
    """
    record = customer_value_model_selection
    if record.get("status") == STATUS_SKIPPED:
        return ""
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True
    )
    fitted = record.get("status") == STATUS_FITTED
    images = [
        (
            segment_value_plot,
            "Share of future value against share of past revenue, and mean value "
            "per customer, by segment.",
        ),
        (
            customer_value_calibration_plot,
            "Mean repeat purchases in the holdout period: actual and predicted by "
            "the model fitted on the calibration period.",
        ),
    ]
    return environment.from_string(SECTION_TEMPLATE).render(
        record=record,
        bg=record["bg_nbd"]["parameters"] if fitted else {},
        gg=record["gamma_gamma"]["parameters"] if fitted else {},
        reason=_REASONS.get(record.get("status", ""), "see the log."),
        calibration=record.get("calibration", {"status": "skipped"}),
        segments=_segment_rows(segment_value),
        currency=report.currency,
        plots=[
            {"data": png_to_base64(image), "caption": caption}
            for image, caption in images
        ],
        settings=settings,
        percent=percent,
        money=_money,
    )
