"""A plain-text summary of a loaded dataset: what is in it, and the national picture by year, in the
reader's language (every line from the catalogue, numbers by babel)."""

from __future__ import annotations

from ucj.core.files import short_digest
from ucj.analysis.national import national_active_by_year, poverty_rate_by_year
from ucj.data.dataset import Dataset, table_synthetic_status
from ucj.data.published import published_facts
from ucj.presentation.i18n import Lang, fmt_int, fmt_num, t, tf


def render(ds: Dataset, lang: Lang = "id") -> str:
    lines = []
    if ds.any_synthetic:
        status = {n: table_synthetic_status(i)[0] for n, i in ds.info.items()}
        made_up = ", ".join(n for n, st in status.items() if st == "synthetic")
        partly = ", ".join(n for n, st in status.items() if st == "partly_synthetic")
        lines.append(tf("summary.synthetic_partly", lang, tables=made_up, partly=partly) if partly
                     else tf("summary.synthetic", lang, tables=made_up))
    lines.append(t("summary.tables", lang))
    rows = [(name, fmt_int(info.rows, lang), t(table_synthetic_status(info)[0], lang), short_digest(info.sha256, 12))
            for name, info in ds.info.items()]  # the status judged column by column
    width = max((len(r[2]) for r in rows), default=0)
    named = max((len(r[0]) for r in rows), default=0) + 1
    for name, n, tag, sha in rows:
        lines.append("  " + tf("summary.table_line", lang, table=f"{name:<{named}}", rows=f"{n:>9}",
                               status=f"{tag:<{width}}", sha256=sha))
    if "enrolment" in ds.tables:
        e = ds.enrolment
        lines.append(tf("summary.districts", lang, n=fmt_int(e["district_code"].nunique(), lang),
                        first=f"{e['month'].min():%Y-%m}", last=f"{e['month'].max():%Y-%m}"))
        nat = national_active_by_year(e) / 1e6
        lines.append(t("summary.national_active", lang))
        labels = [t(str(c), lang) if str(c) == "total" else str(c) for c in nat.columns]
        cells = [[fmt_num(v, lang, 2) for v in row] for row in nat.to_numpy()]
        widths = [max(len(lab), *(len(r[i]) for r in cells)) for i, lab in enumerate(labels)]
        lines.append("  " + f"{t('year', lang):<6}" + "".join(f"  {lab:>{w}}" for lab, w in zip(labels, widths)))
        for year, row in zip(nat.index, cells):
            lines.append("  " + f"{year:<6}" + "".join(f"  {c:>{w}}" for c, w in zip(row, widths)))
    if "poverty" in ds.tables:
        p = ds.poverty
        if p[["p0", "poor_population"]].notna().all(axis=1).any():
            rate = poverty_rate_by_year(p)
            lines.append(tf("summary.poverty", lang, rates="; ".join(f"{y}: {fmt_num(v, lang, 2)}" for y, v in rate.items())))
    facts = published_facts()
    reg = ds.registry
    seeds = facts["district_code"].dropna().unique()
    lines.append(tf("summary.seeds", lang, districts=", ".join(reg.get(c).full_name for c in seeds)))
    return "\n".join(lines)
