"""Plots: titles, axis units, segment names in legends and message figures."""

import pandas as pd
import pytest
from matplotlib.figure import Figure

from customer_segmentation.pipelines.modeling.settings import ModelFeatures
from customer_segmentation.pipelines.reporting.business_plots import (
    plot_segment_migration,
)
from customer_segmentation.pipelines.reporting.plot_style import segment_colours
from customer_segmentation.pipelines.reporting.plots import (
    plot_recency_monetary,
    plot_rfm_distributions,
    plot_segment_profiles,
    plot_segment_projection,
    plot_segment_sizes,
)
from customer_segmentation.pipelines.reporting.profiles import profile_segments
from customer_segmentation.pipelines.reporting.settings import (
    ProjectionSettings,
    RfmSettings,
)

from .report_inputs import EMPTY_MIGRATION

FEATURES = pd.DataFrame(
    {
        "customer_id": ["a", "b", "c", "d", "e", "f"],
        "recency_days": [5, 8, 200, 250, 30, 40],
        "frequency": [20, 25, 1, 2, 5, 6],
        "monetary": [900.0, 1200.0, 20.0, 35.0, 150.0, 180.0],
    }
)
SEGMENTS = pd.DataFrame(
    {"customer_id": list("abcdef"), "segment_id": [0, 0, 2, 2, 1, 1]}
)
NAMES = pd.DataFrame(
    {"segment_id": [0, 1, 2], "segment_name": ["Champions", "Promising", "Lost"]}
)
MODEL_FEATURES = ModelFeatures(numeric=["recency_days", "frequency"])


def _texts(figure: Figure) -> str:
    parts = [figure.get_suptitle()]
    for axes in figure.axes:
        parts += [axes.get_title(), axes.get_xlabel(), axes.get_ylabel()]
        parts += [label.get_text() for label in axes.get_yticklabels()]
        parts += [label.get_text() for label in axes.get_xticklabels()]
        legend = axes.get_legend()
        if legend is not None:
            parts += [text.get_text() for text in legend.get_texts()]
        parts += [text.get_text() for text in axes.texts]
    return " | ".join(parts)


def test_sizes_plot_names_segments_and_shows_revenue():
    figure = plot_segment_sizes(profile_segments(FEATURES, SEGMENTS), NAMES)

    text = _texts(figure)
    assert "0 · Champions" in text
    assert "share of revenue (hatched)" in text
    assert "share (%)" in text


def test_same_segment_has_the_same_colour_in_every_plot():
    sizes = plot_segment_sizes(profile_segments(FEATURES, SEGMENTS), NAMES)
    scatter = plot_recency_monetary(
        FEATURES, SEGMENTS, NAMES, RfmSettings(), ProjectionSettings()
    )

    bar_colour = sizes.axes[0].patches[2].get_facecolor()
    point_colour = scatter.axes[0].collections[2].get_facecolor()[0]
    assert tuple(bar_colour[:3]) == pytest.approx(segment_colours(3)[2][:3])
    assert tuple(point_colour[:3]) == pytest.approx(segment_colours(3)[2][:3])


def test_profile_heatmap_has_one_row_per_segment_and_feature_columns():
    figure = plot_segment_profiles(profile_segments(FEATURES, SEGMENTS), NAMES)

    heatmap = figure.axes[0]
    assert heatmap.images[0].get_array().shape == (3, 3)
    assert "2 · Lost" in _texts(figure)


def test_projection_labels_its_axes_with_explained_variance():
    figure = plot_segment_projection(
        FEATURES, SEGMENTS, NAMES, MODEL_FEATURES, ProjectionSettings()
    )

    assert "% of variance" in figure.axes[0].get_xlabel()
    assert "the model's 2 numeric features" in figure.axes[0].get_title(loc="left")
    assert "1 · Promising" in _texts(figure)


def test_rfm_distributions_draw_three_panels():
    figure = plot_rfm_distributions(FEATURES, SEGMENTS, NAMES, RfmSettings(), "GBP")

    assert len(figure.axes) == 3
    assert "revenue, GBP" in _texts(figure)
    assert "days since last purchase" in _texts(figure)


def test_rfm_plots_explain_when_rfm_columns_are_missing():
    attributes = pd.DataFrame(
        {"customer_id": list("abcdef"), "age": [20, 30, 40, 50, 60, 70]}
    )

    figure = plot_rfm_distributions(attributes, SEGMENTS, NAMES, RfmSettings())

    assert "has no recency_days, frequency, monetary column" in _texts(figure)


def test_migration_plot_explains_when_there_is_no_previous_run():
    figure = plot_segment_migration(EMPTY_MIGRATION)

    assert "No previous run" in _texts(figure)


def test_migration_plot_annotates_counts():
    migration = pd.DataFrame(
        {
            "previous_segment_id": pd.array([0, 0, pd.NA], "Int64"),
            "previous_segment_name": ["Champions", "Champions", "(new customer)"],
            "segment_id": pd.array([0, 1, 1], "Int64"),
            "segment_name": ["Champions", "Lost", "Lost"],
            "n_customers": [5, 2, 1],
        }
    )

    figure = plot_segment_migration(migration)

    text = _texts(figure)
    assert "(new customer)" in text
    assert figure.axes[0].images[0].get_array().tolist() == [[5, 2], [0, 1]]


def test_scatter_draws_a_seeded_sample_but_counts_every_customer():
    figure = plot_recency_monetary(
        FEATURES, SEGMENTS, NAMES, RfmSettings(), ProjectionSettings(max_points=10)
    )
    small = ProjectionSettings(max_points=3, random_state=0)
    sampled = plot_recency_monetary(FEATURES, SEGMENTS, NAMES, RfmSettings(), small)

    drawn = sum(len(points.get_offsets()) for points in sampled.axes[0].collections)
    assert drawn == 3
    assert "(2)" in _texts(sampled)
    assert "6 of 6 drawn" in figure.axes[0].get_title(loc="left")


def test_sizes_plot_without_revenue_says_customers_only():
    attributes = pd.DataFrame(
        {"customer_id": list("abcdef"), "age": [20, 30, 40, 50, 60, 70]}
    )

    figure = plot_segment_sizes(profile_segments(attributes, SEGMENTS), NAMES)

    assert figure.axes[0].get_title() == "Segment sizes: share of customers"
    assert "revenue" not in _texts(figure)
