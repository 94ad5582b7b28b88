"""Issue 18 / reader 3 item 2 on the pages a reader gets: Boalemo's gross need states both lapse rates (self-funded
and budget-funded) and the funded fallback, in Bahasa Indonesia and English, and tables.xlsx and key_figures.json
carry the same figures. Oracles: pandas on the demo's enrolment.parquet, the saved files read back."""

from __future__ import annotations

import html
import json

import openpyxl
import pandas as pd
import pytest

from ucj.presentation import district as district_report
from ucj.presentation.i18n import fmt_int, fmt_pct
from ucj.runs.params import validate_params

pytestmark = pytest.mark.slow  # whole demo pages and workbooks

BOALEMO = "75.02"
FALLBACK = {"id": "semua kabupaten/kota", "en": "all districts"}


def _boalemo_rates(demo_dir) -> dict[str, float]:
    """Self-funded and funded rates (%), stocks and lapses a month, by pandas alone (Boalemo has no agreement end;
    its 5,000 funded workers' few participant-months fall back to all districts' median funded month)."""
    e = pd.read_parquet(demo_dir / "enrolment.parquet")
    e["month"] = pd.to_datetime(e["month"])
    funded = e["funding"].astype(str) != "self_employer"

    def monthly(rows: pd.DataFrame) -> pd.DataFrame:
        m = rows.groupby("month")[["active", "lapsed"]].sum().sort_index()
        m["base"] = m["active"].shift()
        return m.loc["2025-01-01":"2025-12-01"]

    b = e["district_code"] == BOALEMO
    org = monthly(e[b & ~funded])
    now = e[b & (e["month"] == pd.Timestamp("2025-12-01"))]
    allf = e[funded & (e["month"] <= pd.Timestamp("2025-12-01"))]
    # all districts' funded cells: a cell losing at least half its workers in a month is an agreement's end, and
    # one losing at least 1 % (10 workers or more) that are not replaced (active falls as much) a partial cut
    allf = allf.sort_values("month")
    prev = allf.groupby(["district_code", "segment", "funding"], observed=True)["active"].shift()
    cut = (prev * 0.01).clip(lower=10)
    partial = (allf["lapsed"] >= cut) & (prev - allf["active"] >= cut)
    allf = allf.assign(lapsed=allf["lapsed"].where(~((prev > 0) & ((allf["lapsed"] >= 0.5 * prev) | partial)), 0))
    fm = monthly(allf)
    out = {"organic_rate": 100 * org["lapsed"].sum() / org["base"].sum(),
           "funded_rate": float((100 * fm["lapsed"] / fm["base"]).median()),
           "organic_now": float(now.loc[now["funding"].astype(str) == "self_employer", "active"].sum()),
           "funded_now": float(now.loc[now["funding"].astype(str) != "self_employer", "active"].sum())}
    out["lapsed"] = (out["organic_rate"] * out["organic_now"] + out["funded_rate"] * out["funded_now"]) / 100
    return out


@pytest.mark.parametrize("lang", ["id", "en"])
def test_boalemo_page_states_both_lapse_rates(demo_dir, demo_ds, tmp_path, lang):
    import IPython.display

    want = _boalemo_rates(demo_dir)
    report = district_report.build(demo_ds, validate_params(BOALEMO, lang=lang, data_dir=str(demo_dir)))
    shown: list[str] = []
    mp = pytest.MonkeyPatch()
    mp.setattr(IPython.display, "display", lambda obj: shown.append(obj.data))
    try:
        report.show_workers_needed()
        report.show_budget()
    finally:
        mp.undo()
    text = html.unescape("\n".join(shown + report.methods_lines()))
    org, fun = fmt_pct(want["organic_rate"], lang, 2), fmt_pct(want["funded_rate"], lang, 2)
    assert org == ("3,84 %" if lang == "id" else "3.84 %")  # the reader's 3.84 %
    method = [line for line in report.methods_lines() if org in line and fun in line]
    assert len(method) == 1, "the gross need's method line states both rates"
    assert fmt_int(want["organic_now"], lang) in method[0] and fmt_int(want["funded_now"], lang) in method[0]
    assert fmt_int(want["lapsed"], lang) in method[0]
    assert FALLBACK[lang] in text and fmt_int(12_000, lang) in text  # the fallback is said, with its rule
    budget = [line for line in report.budget_plan_sentences() if org in line and fun in line]
    assert len(budget) == 1, "the budget's gross-registration note states both rates"
    other = "en" if lang == "id" else "id"
    assert FALLBACK[other] not in text

    report.save(tmp_path)
    key = json.loads((tmp_path / "key_figures.json").read_text(encoding="utf-8"))
    need = key["workers_needed"]
    split = need["lapses_by_funding"]
    assert split["organic"]["rate_pct"] == pytest.approx(want["organic_rate"])
    assert split["funded"]["rate_pct"] == pytest.approx(want["funded_rate"])
    assert split["funded"]["basis"] == "all_districts_median_month"  # named as the page says it (R18-5)
    assert need["lapsed_per_month"] == pytest.approx(want["lapsed"])
    assert need["gross_per_month"] == pytest.approx(need["net_per_month"] + want["lapsed"])
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx", read_only=True)
    cells = [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if c]
    assert any(org in c and fun in c for c in cells), "tables.xlsx states both rates as the page does"
