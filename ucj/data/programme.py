"""BPJS Ketenagakerjaan programme rules used by both the analysis and the demo generator (one source).

Figures from the domain notes (shared/docs/domain.md §1, PP 44/2015 as amended; Permenaker 5/2021).
"""

from __future__ import annotations

BPU_LOWEST_INCOME_RP = 1_000_000  # lowest declared-income bracket for non-wage (BPU) workers
BPU_JKK_RATE = 0.01  # JKK: 1 % of declared income
BPU_JKM_RP = 6_800  # JKM: flat per month
BPU_JKK_JKM_RP = round(BPU_LOWEST_INCOME_RP * BPU_JKK_RATE) + BPU_JKM_RP  # Rp 16,800 a month
JKM_BENEFIT_RP = 42_000_000  # Rp 20 m lump sum + Rp 10 m funeral + Rp 12 m periodic, paid at once

SOURCES = {
    "BPU_JKK_JKM_RP": "JKK 1 % of Rp 1,000,000 + JKM Rp 6,800 for a BPU worker at the lowest bracket "
                      "(domain notes §1); Rp 36,800 with JHT",
    "JKM_BENEFIT_RP": "JKM benefit: Rp 20 m lump sum + Rp 10 m funeral + Rp 12 m periodic (domain notes §1)",
}
