"""Typed parameters of the reporting pipeline (``conf/base/parameters_reporting.yml``)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RfmRule(BaseModel):
    """One named range of the RFM scheme.

    Attributes:
        name: RFM segment name, e.g. ``Champions``.
        recency: Inclusive ``[low, high]`` range of the recency score.
        frequency_monetary: Inclusive ``[low, high]`` range of the combined
            frequency-monetary score.
        scores: Extra inclusive score ranges by feature column (e.g.
            ``average_order_value: [5, 5]``, ``frequency: [1, 3]``); a rule with
            extra ranges names segments only, never a single customer.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    recency: tuple[int, int] = (1, 10)
    frequency_monetary: tuple[int, int] = (1, 10)
    scores: dict[str, tuple[int, int]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _check_ranges(self) -> RfmRule:
        for label, (low, high) in (
            ("recency", self.recency),
            ("frequency_monetary", self.frequency_monetary),
            *self.scores.items(),
        ):
            if low > high:
                raise ValueError(
                    f"rfm rule {self.name!r}: {label} range [{low}, {high}] "
                    "should have low <= high"
                )
        return self


class RfmSettings(BaseModel):
    """How customers get R, F and M scores and a named RFM segment.

    Attributes:
        n_bins: Number of score levels (5 = quintiles).
        recency_column: Days since the last purchase (lower scores better).
        frequency_column: Number of orders.
        monetary_column: Revenue per customer.
        segments: Named ranges of the R x FM grid; the first matching rule wins.
        unmatched_name: Name for a score pair no rule covers.
    """

    model_config = ConfigDict(extra="forbid")

    n_bins: int = Field(default=5, ge=2, le=10)
    recency_column: str = "recency_days"
    frequency_column: str = "frequency"
    monetary_column: str = "monetary"
    segments: list[RfmRule] = Field(default_factory=list)
    unmatched_name: str = "Unclassified"


class TraitWords(BaseModel):
    """Plain words for a feature that sits above or below the population.

    Attributes:
        high: Words when the segment mean is above the population mean.
        low: Words when it is below.
    """

    model_config = ConfigDict(extra="forbid")

    high: str
    low: str


class TraitPattern(BaseModel):
    """A business name and action for segments with a given set of traits.

    Attributes:
        name: Name of the segments that match, e.g. ``Affluent Spenders``.
        traits: Feature -> ``high`` or ``low``; every one must be a trait of the
            segment for the pattern to match.
        action: Recommended action for a segment that gets this name.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    traits: dict[str, Literal["high", "low"]] = Field(min_length=1)
    action: str


class NamingSettings(BaseModel):
    """How segments get a readable name, traits and a recommended action.

    Attributes:
        max_traits: Most traits quoted in a name.
        min_trait_z: Smallest absolute robust z (segment median against the other
            customers) for a numeric feature to count as a trait.
        min_trait_share: Smallest share of the segment on the trait's side of the
            other customers' median (members without a value count against it).
        min_category_share: Smallest share of a segment in one level of a
            categorical feature for it to count as a trait.
        min_category_lift: Smallest ratio of that share to the level's share among
            the other customers.
        recent_only_names: RFM names a segment whose median recency score is below
            the middle of the scale never gets: value at risk is not loyalty.
        trait_words: Words per feature; features not listed read "high <label>"
            and "low <label>".
        actions: Recommended action per RFM segment name.
        trait_patterns: Names and actions for attribute-only data, matched on the
            segment's traits.
        default_action: Action of a segment no RFM name or pattern fits; the
            segment's traits are added so that no two segments share an action.
    """

    model_config = ConfigDict(extra="forbid")

    max_traits: int = Field(default=2, ge=0)
    min_trait_z: float = Field(default=0.5, ge=0)
    min_trait_share: float = Field(default=0.6, gt=0, le=1)
    min_category_share: float = Field(default=0.5, gt=0, le=1)
    min_category_lift: float = Field(default=1.25, ge=1)
    recent_only_names: list[str] = Field(default_factory=list)
    trait_words: dict[str, TraitWords] = Field(default_factory=dict)
    actions: dict[str, str] = Field(default_factory=dict)
    trait_patterns: list[TraitPattern] = Field(default_factory=list)
    default_action: str = "Review the profile and test a targeted offer"

    @model_validator(mode="after")
    def _check_unique_actions(self) -> NamingSettings:
        actions = [*self.actions.values(), *(p.action for p in self.trait_patterns)]
        repeated = sorted({action for action in actions if actions.count(action) > 1})
        if repeated:
            raise ValueError(
                f"segment_naming: action(s) {repeated} are given to more than one "
                "name; every name needs its own action"
            )
        return self


class RulesSettings(BaseModel):
    """The shallow decision trees that turn segments into if-then rules.

    Attributes:
        max_depth: Depth of the multi-class tree whose fidelity is reported.
        segment_depth: Depth of each segment's one-vs-rest tree (conditions per
            rule at most).
        min_leaf_share: Smallest share of customers in a leaf (rule).
        min_impurity_decrease: Smallest gain (weighted Gini) for a segment's tree
            to add a condition, so no rule is split where the split tells nothing.
        max_category_levels: Categorical features with more levels are left out.
        random_state: Seed of the tree.
    """

    model_config = ConfigDict(extra="forbid")

    max_depth: int = Field(default=4, ge=1, le=8)
    segment_depth: int = Field(default=3, ge=1, le=6)
    min_leaf_share: float = Field(default=0.02, gt=0, lt=0.5)
    min_impurity_decrease: float = Field(default=0.005, ge=0)
    max_category_levels: int = Field(default=12, ge=2)
    random_state: int = 42


class ProjectionSettings(BaseModel):
    """The 2-D principal component view of customers.

    Attributes:
        log_transform: Features passed through ``log1p`` (negatives clipped to 0)
            before scaling, so a few big spenders do not fill the picture.
        max_points: Customers drawn (a seeded sample above this number).
        random_state: Seed of the sample.
    """

    model_config = ConfigDict(extra="forbid")

    log_transform: list[str] = Field(default_factory=list)
    max_points: int = Field(default=4_000, ge=1)
    random_state: int = 42


class CustomerSampleSettings(BaseModel):
    """The seeded sample of customers the distribution plots draw from.

    The plots that show customers one by one (projection, recency against
    revenue, RFM box plots), the country and channel breakdowns and the segment
    rules read this sample, drawn once per run, instead of every customer; with
    fewer customers than ``size`` they see all of them.
    50,000 customers pin a quartile of a segment holding 2% of them to about
    +-2.5% of its spread, which a plot cannot show.

    Attributes:
        size: Customers drawn at most.
        random_state: Seed of the sample.
    """

    model_config = ConfigDict(extra="forbid")

    size: int = Field(default=50_000, ge=100)
    random_state: int = 42


class FeatureLabel(BaseModel):
    """How the report names and explains one feature.

    Attributes:
        label: Human label, e.g. ``Days since last purchase``.
        definition: How the value is computed, in plain words.
    """

    model_config = ConfigDict(extra="forbid")

    label: str
    definition: str = ""


class ReportSettings(BaseModel):
    """The HTML report.

    Attributes:
        title: Title of the report.
        currency: Currency of the revenue figures, e.g. ``GBP``.
        max_rules_per_segment: Rules shown per segment (by recall).
        breakdown_columns: Categorical columns whose split per segment is drawn
            when present (e.g. country, channel).
        max_breakdown_levels: Most common levels drawn per column; the rest are
            ``other``.
        feature_labels: Human label and definition per feature, for the glossary
            and the segment cards; unlisted features keep their column name.
    """

    model_config = ConfigDict(extra="forbid")

    title: str = "Customer segmentation report"
    currency: str = "currency units"
    max_rules_per_segment: int = Field(default=3, ge=1)
    breakdown_columns: list[str] = Field(default_factory=lambda: ["country", "channel"])
    max_breakdown_levels: int = Field(default=6, ge=1)
    feature_labels: dict[str, FeatureLabel] = Field(default_factory=dict)
