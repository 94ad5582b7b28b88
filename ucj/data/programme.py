"""BPJS Ketenagakerjaan programme rules used by both the analysis and the demo generator (one source).

Figures from the domain notes (shared/docs/domain.md §1, PP 44/2015 as amended; Permenaker 5/2021); the publications
that state the contribution and benefit figures are in data/published/national_figures.csv.
"""

from __future__ import annotations

BPU_LOWEST_INCOME_RP = 1_000_000  # lowest declared-income bracket for non-wage (BPU) workers
BPU_JKK_RATE = 0.01  # JKK: 1 % of declared income
BPU_JKM_RP = 6_800  # JKM: flat per month
BPU_JKK_JKM_RP = round(BPU_LOWEST_INCOME_RP * BPU_JKK_RATE) + BPU_JKM_RP  # Rp 16,800 a month
JKM_BENEFIT_RP = 42_000_000  # Rp 20 m lump sum + Rp 10 m funeral + Rp 12 m periodic, paid at once

SOURCES = {
    "BPU_JKK_JKM_RP": "JKK 1 % of Rp 1,000,000 + JKM Rp 6,800 for a BPU worker at the lowest bracket "
                      "(GridStar.ID; Mudanesia; Batakpost.com: Rp 16,800); Rp 36,800 with JHT",
    "JKM_BENEFIT_RP": "JKM benefit: Rp 20 m lump sum + Rp 10 m funeral + Rp 12 m periodic (Radar Sulbar, "
                      "PP 82/2019; total quoted by the regent of Boalemo, hariantoday.com)",
}

# Who is eligible for each programme, by segment (domain notes §1): JKK and JKM cover every
# segment; JHT covers wage earners and self-funded BPU (budget-funded BPU, construction and migrant
# workers get JKK+JKM only: the PMI's contributions of Permenaker 4/2023 art. 18 are JKK+JKM, JHT is
# optional for them, and the claims table has no PMI JHT claim; the loss ratio takes PMI contributions
# whole as JKK+JKM: one rule for both, reader 15, R15-14); JP and JKP are for wage earners (PU) only.
# Each entry is a set of (segment, funding) pairs; funding None means any funding.
ELIGIBLE: dict[str, frozenset[tuple[str, str | None]]] = {
    "JKK": frozenset({("PU", None), ("BPU", None), ("Jakon", None), ("PMI", None)}),
    "JKM": frozenset({("PU", None), ("BPU", None), ("Jakon", None), ("PMI", None)}),
    "JHT": frozenset({("PU", None), ("BPU", "self_employer")}),
    "JP": frozenset({("PU", None)}),
    "JKP": frozenset({("PU", None)}),
}
RISK_PROGRAMMES = ("JKK", "JKM")  # insurance against accident and death: a loss ratio makes sense
SAVINGS_PROGRAMMES = ("JHT", "JP")  # the worker's own savings paid back: withdrawals, not losses

# Share of a wage earner's contribution that pays JKK+JKM: JKK 0.54 % (risk group 2 of 5, the
# common one; 0.24-1.74 %) + JKM 0.30 %, over JKK + JKM + JHT 5.7 % + JP 3 % + JKP 0.36 %.
PU_JKK_RATE, PU_JKM_RATE, PU_JHT_RATE, PU_JP_RATE, PU_JKP_RATE = 0.0054, 0.003, 0.057, 0.03, 0.0036
PU_RISK_SHARE = (PU_JKK_RATE + PU_JKM_RATE) / (PU_JKK_RATE + PU_JKM_RATE + PU_JHT_RATE + PU_JP_RATE + PU_JKP_RATE)

SOURCES |= {
    "ELIGIBLE": "programmes by segment (domain notes §1): JP and JKP for wage earners (PU) only",
    "PU_RISK_SHARE": "JKK 0.54 % (risk group 2) + JKM 0.30 % of the wage, over the whole PU rate of "
                     "JKK + JKM + JHT 5.7 % + JP 3 % + JKP 0.36 % (domain notes §1); an estimate, the risk "
                     "group varies by employer",
    "BPU_RISK": "a BPU worker pays JKK+JKM of Rp 16,800 a month at the lowest bracket; what is paid above it "
                "(JHT, higher declared income) is not counted as risk contributions",
}


# Age at the start month for registering a candidate (ucj participants check). No regulation text was
# found for BPU registration ages (domain notes §7, "unconfirmed"): each rule without a source is an
# assumption, and every output that applies it says so.
AGE_RULES: tuple[tuple[str, int, str | None], ...] = (
    ("min_age", 15, None),  # assumption: the youngest working age the labour statistics count (BPS: 15+)
    ("max_age", 65, None),  # assumption: the upper age commonly used for BPU registration
)
