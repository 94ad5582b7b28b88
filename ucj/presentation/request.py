"""What a reader asked a report for: the district, language, data folders, period, denominator and
target. The runs layer validates these (ucj.runs.params); the views only read them."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import pandas as pd

from ucj.data.registry import District, Registry
from ucj.presentation.i18n import Lang


@dataclass(frozen=True)
class ReportParams:
    district: District
    lang: Lang
    data_dirs: tuple[str, ...]
    last_period: pd.Timestamp
    denominator: str | None
    target_pct: float | None
    target_year: int | None
    registry: Registry = field(repr=False, compare=False, default=None)  # type: ignore[assignment]

    def as_dict(self) -> dict[str, object]:
        d = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "registry"}
        d["district"] = self.district.code
        d["district_name"] = self.district.full_name
        d["last_period"] = f"{self.last_period:%Y-%m}"
        d["data_dirs"] = list(self.data_dirs)
        return d
