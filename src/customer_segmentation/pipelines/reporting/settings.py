"""Typed parameters of the reporting pipeline (``conf/base/parameters_reporting.yml``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator


class RfmRule(BaseModel):
    """One named cell range of the R x FM score grid.

    Attributes:
        name: RFM segment name, e.g. ``Champions``.
        recency: Inclusive ``[low, high]`` range of the recency score.
        frequency_monetary: Inclusive ``[low, high]`` range of the combined
            frequency-monetary score.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    recency: tuple[int, int]
    frequency_monetary: tuple[int, int]

    @model_validator(mode="after")
    def _check_ranges(self) -> RfmRule:
        for label, (low, high) in (
            ("recency", self.recency),
            ("frequency_monetary", self.frequency_monetary),
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


class NamingSettings(BaseModel):
    """How segments get a readable name and a recommended action.

    Attributes:
        max_traits: Most traits quoted in a name.
        min_trait_z: Smallest absolute z-score of a segment mean (against the
            population) for a numeric feature to count as a trait.
        min_category_share: Smallest share of a segment in one level of a
            categorical feature for it to count as a trait.
        min_category_lift: Smallest ratio of that share to the level's share in the
            population.
        trait_words: Words per feature; features not listed read "high <feature>"
            and "low <feature>".
        actions: Recommended action per RFM segment name.
        default_action: Action when the segment has no RFM segment or none listed.
    """

    model_config = ConfigDict(extra="forbid")

    max_traits: int = Field(default=2, ge=0)
    min_trait_z: float = Field(default=0.5, ge=0)
    min_category_share: float = Field(default=0.5, gt=0, le=1)
    min_category_lift: float = Field(default=1.25, ge=1)
    trait_words: dict[str, TraitWords] = Field(default_factory=dict)
    actions: dict[str, str] = Field(default_factory=dict)
    default_action: str = "Review the profile and test a targeted offer"


class RulesSettings(BaseModel):
    """The shallow surrogate decision tree that turns segments into if-then rules.

    Attributes:
        max_depth: Depth of the tree (conditions per rule at most).
        min_leaf_share: Smallest share of customers in a leaf (rule).
        max_category_levels: Categorical features with more levels are left out.
        random_state: Seed of the tree.
    """

    model_config = ConfigDict(extra="forbid")

    max_depth: int = Field(default=4, ge=1, le=8)
    min_leaf_share: float = Field(default=0.02, gt=0, lt=0.5)
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


class ReportSettings(BaseModel):
    """The HTML report.

    Attributes:
        title: Title of the report.
        max_rules_per_segment: Rules shown per segment (by coverage).
        image_dpi: Resolution of the embedded plots.
    """

    model_config = ConfigDict(extra="forbid")

    title: str = "Customer segmentation report"
    max_rules_per_segment: int = Field(default=3, ge=1)
    image_dpi: int = Field(default=90, ge=50, le=300)
