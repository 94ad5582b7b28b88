"""A plain-text summary of a loaded dataset: what is in it, and the national picture by year."""

from __future__ import annotations

from ucj.analysis.national import national_active_by_year, poverty_rate_by_year
from ucj.data.dataset import Dataset, table_synthetic_status
from ucj.data.published import published_facts


def render(ds: Dataset) -> str:
    lines = []
    if ds.any_synthetic:
        status = {n: table_synthetic_status(i)[0] for n, i in ds.info.items()}
        made_up = [n for n, st in status.items() if st == "synthetic"]
        partly = [n for n, st in status.items() if st == "partly_synthetic"]
        lines.append("*** SYNTHETIC DEMO DATA: not official statistics (tables: " + ", ".join(made_up)
                     + ("; partly synthetic: " + ", ".join(partly) if partly else "") + ") ***")
    lines.append("Tables:")
    for name, info in ds.info.items():
        tag = table_synthetic_status(info)[0].replace("_", " ")  # judged column by column
        lines.append(f"  {name:<14}{info.rows:>9,} rows  {tag:<16}  sha256 {info.sha256[:12]}")
    if "enrolment" in ds.tables:
        e = ds.enrolment
        lines.append(f"Districts: {e['district_code'].nunique()}  months: {e['month'].min():%Y-%m} to {e['month'].max():%Y-%m}")
        nat = national_active_by_year(e) / 1e6
        lines.append("National active participants, millions (mean of months):")
        lines.append(nat.round(2).to_string())
    if "poverty" in ds.tables:
        p = ds.poverty
        if p[["p0", "poor_population"]].notna().all(axis=1).any():
            rate = poverty_rate_by_year(p)
            lines.append("National poverty rate (%, population-weighted): "
                         + ", ".join(f"{y}: {v:.2f}" for y, v in rate.items()))
    facts = published_facts()
    reg = ds.registry
    seeds = facts["district_code"].dropna().unique()
    lines.append("Seed districts: " + ", ".join(reg.get(c).full_name for c in seeds))
    return "\n".join(lines)
