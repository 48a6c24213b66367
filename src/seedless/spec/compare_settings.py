"""Typed settings of `seedless compare`: eval's measure settings, the measures compare makes, the joint pool's size."""

from __future__ import annotations

from pydantic import Field, field_validator

from seedless.spec.eval_settings import EvalSettings

COMPARE_METRICS: tuple[str, ...] = ("coverage", "diversity", "complexity")  # what compare measures, in table order


class CompareSettings(EvalSettings):
    """EvalSettings (text fields, coverage assignment, batch sizes, embedder, k, seed, models) shared by every
    compared dataset, with compare's own measures and pool size."""

    metrics: list[str] = Field(default_factory=lambda: list(COMPARE_METRICS), min_length=1,
                               description=f"Of {', '.join(COMPARE_METRICS)}.")
    complexity_items: int = Field(200, ge=2, le=100_000, description="The most items of each dataset sampled "
                                  "(seeded, by content) into the joint Elo pool; bounds the rater's calls.")
    histogram_bins: int = Field(12, ge=1, le=200, description="Bins of the complexity histograms (edges shared "
                                "by every dataset).")

    @field_validator("metrics")
    @classmethod
    def _compare_metrics(cls, value: list[str]) -> list[str]:
        unknown = [m for m in value if m not in COMPARE_METRICS]
        if unknown:
            raise ValueError(f"compare measures {', '.join(COMPARE_METRICS)}; not {', '.join(unknown)}")
        return list(dict.fromkeys(value))
