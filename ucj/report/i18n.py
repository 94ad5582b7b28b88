"""Labels in Bahasa Indonesia and English, and numbers in each locale's format (babel).

Bahasa Indonesia: "Rp1,5 M", "76,3 %", "100.841". English: "Rp 1.5 bn", "76.3 %", "100,841".
"""

from __future__ import annotations

import math
from typing import Literal

import pandas as pd
from babel.numbers import format_compact_currency, format_decimal

from ucj.core.errors import UcjInputError

Lang = Literal["id", "en"]
LANGS = ("id", "en")
_LOCALE = {"id": "id_ID", "en": "en"}
_EN_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def check_lang(lang: str) -> Lang:
    if lang not in LANGS:
        raise UcjInputError.one(f"unknown lang '{lang}'; one of id, en", column="lang")
    return lang  # type: ignore[return-value]


def _missing(value: object) -> bool:
    """None, NaN, pandas' NA or NaT: shown as "–"."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def fmt_int(value: object, lang: Lang = "id") -> str:
    if _missing(value):
        return "–"
    return format_decimal(round(float(value)), locale=_LOCALE[lang])  # type: ignore[arg-type]


def fmt_num(value: object, lang: Lang = "id", digits: int = 1) -> str:
    if _missing(value):
        return "–"
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(float(value), format=pattern, locale=_LOCALE[lang])  # type: ignore[arg-type]


def fmt_pct(value: object, lang: Lang = "id", digits: int = 1) -> str:
    """A percentage given in percent units (76.3 -> "76,3 %" / "76.3 %")."""
    if _missing(value):
        return "–"
    return f"{fmt_num(value, lang, digits)} %"


def fmt_rp(value: object, lang: Lang = "id", digits: int = 2) -> str:
    """Rupiah in short form: "Rp4,96 M" (id) or "Rp 4.96 bn" (en); small amounts in full."""
    if _missing(value):
        return "–"
    v = float(value)  # type: ignore[arg-type]
    if lang == "id":
        if abs(v) < 1e6:
            return "Rp" + format_decimal(round(v), locale="id_ID")
        text = format_compact_currency(v, "IDR", locale="id_ID", fraction_digits=digits)
        return text.replace("\xa0", " ")
    for scale, suffix in _EN_SCALES[:-1]:
        if abs(v) >= scale:
            num = format_decimal(v / scale, format="#,##0." + "#" * digits, locale="en")
            return f"Rp {num} {suffix}"
    return "Rp " + format_decimal(round(v), locale="en")


def fmt_rp_full(value: object, lang: Lang = "id") -> str:
    """Rupiah in full: "Rp1.008.000.000" / "Rp 1,008,000,000"."""
    if _missing(value):
        return "–"
    sep = "" if lang == "id" else " "
    return f"Rp{sep}{fmt_int(value, lang)}"


LABELS: dict[str, dict[str, str]] = {
    "report_title": {"id": "Laporan Universal Coverage Jamsostek", "en": "Universal Coverage Jamsostek report"},
    "synthetic_banner": {
        "id": "DATA SINTETIS (DEMO) – bukan statistik resmi. Kepesertaan, iuran, klaim dan rincian tenaga kerja "
              "dibuat untuk peragaan; kemiskinan (BPS) dan fakta yang dipublikasikan untuk kabupaten contoh nyata, "
              "lihat kolom sumber.",
        "en": "SYNTHETIC DEMO DATA – not official statistics. Enrolment, contributions, claims and the workforce "
              "split are made up for demonstration; poverty (BPS) and the published facts of the seed districts are "
              "real, see the source column.",
    },
    "summary": {"id": "Ringkasan", "en": "Summary"},
    "coverage": {"id": "Cakupan kepesertaan", "en": "Coverage"},
    "coverage_by_segment": {"id": "Cakupan menurut segmen terhadap target", "en": "Coverage by segment against the target"},
    "projection": {"id": "Proyeksi cakupan", "en": "Coverage projection"},
    "workers_needed": {"id": "Tambahan pekerja yang diperlukan per bulan", "en": "Additional workers needed per month"},
    "claims": {"id": "Klaim menurut program", "en": "Claims by programme"},
    "poverty": {"id": "Kemiskinan (P0, P1, P2)", "en": "Poverty (P0, P1, P2)"},
    "peers": {"id": "Perbandingan dengan provinsi, nasional dan daerah sebanding",
              "en": "Against the province, the nation and similar districts"},
    "budget": {"id": "Skenario anggaran APBD", "en": "APBD budget scenarios"},
    "data_notes": {"id": "Catatan data", "en": "Data notes"},
    "district": {"id": "Kabupaten/kota", "en": "District"},
    "province": {"id": "Provinsi", "en": "Province"},
    "national": {"id": "Nasional", "en": "National"},
    "peer_mean": {"id": "Rata-rata daerah sebanding", "en": "Similar districts (mean)"},
    "last_period": {"id": "Periode terakhir", "en": "Last period"},
    "active": {"id": "Peserta aktif", "en": "Active participants"},
    "denominator": {"id": "Penyebut", "en": "Denominator"},
    "coverage_pct": {"id": "Cakupan", "en": "Coverage"},
    "target": {"id": "Target", "en": "Target"},
    "target_year": {"id": "Tahun target", "en": "Target year"},
    "projected": {"id": "Proyeksi pada tahun target", "en": "Projected at the target year"},
    "interval": {"id": "Selang prediksi", "en": "Prediction interval"},
    "status": {"id": "Status", "en": "Status"},
    "model": {"id": "Model", "en": "Model"},
    "month": {"id": "Bulan", "en": "Month"},
    "year": {"id": "Tahun", "en": "Year"},
    "segment": {"id": "Segmen", "en": "Segment"},
    "programme": {"id": "Program", "en": "Programme"},
    "claim_count": {"id": "Jumlah klaim", "en": "Claims"},
    "claim_amount_rp": {"id": "Nilai klaim", "en": "Amount paid"},
    "frequency_per_1000": {"id": "Frekuensi per 1.000 peserta per tahun", "en": "Frequency per 1,000 participants a year"},
    "mean_claim_rp": {"id": "Rata-rata klaim", "en": "Mean claim"},
    "loss_ratio": {"id": "Rasio klaim", "en": "Loss ratio"},
    "funding": {"id": "Sumber iuran", "en": "Funding"},
    "contribution_rp": {"id": "Iuran", "en": "Contributions"},
    "heirs": {"id": "Manfaat kepada ahli waris (JKM)", "en": "Benefits paid to heirs (JKM)"},
    "p0": {"id": "P0 (persentase penduduk miskin)", "en": "P0 (poverty headcount)"},
    "p1": {"id": "P1 (kedalaman)", "en": "P1 (depth)"},
    "p2": {"id": "P2 (keparahan)", "en": "P2 (severity)"},
    "indicator": {"id": "Indikator", "en": "Indicator"},
    "value": {"id": "Nilai", "en": "Value"},
    "rank": {"id": "Peringkat", "en": "Rank"},
    "percentile": {"id": "Persentil", "en": "Percentile"},
    "workers": {"id": "Pekerja", "en": "Workers"},
    "months": {"id": "Bulan", "en": "Months"},
    "cost_rp": {"id": "Biaya", "en": "Cost"},
    "coverage_after_pct": {"id": "Cakupan sesudah", "en": "Coverage after"},
    "coverage_before_pct": {"id": "Cakupan sebelum", "en": "Coverage before"},
    "expected_jkm_deaths": {"id": "Perkiraan kematian (JKM)", "en": "Expected deaths (JKM)"},
    "expected_jkk_cases": {"id": "Perkiraan kecelakaan kerja (JKK)", "en": "Expected work accidents (JKK)"},
    "expected_benefits_rp": {"id": "Perkiraan manfaat dibayar", "en": "Expected benefits paid"},
    "benefit_cost_ratio": {"id": "Rasio manfaat/biaya", "en": "Benefit/cost ratio"},
    "assumption": {"id": "Asumsi", "en": "Assumption"},
    "source": {"id": "Sumber", "en": "Source"},
    "synthetic": {"id": "sintetis", "en": "synthetic"},
    "real": {"id": "nyata", "en": "real"},
    "table": {"id": "Tabel", "en": "Table"},
    "rows": {"id": "Baris", "en": "Rows"},
    "gap": {"id": "Selisih", "en": "Gap"},
    "likely": {"id": "kemungkinan tercapai", "en": "likely to be met"},
    "uncertain": {"id": "belum pasti", "en": "uncertain"},
    "unlikely": {"id": "kemungkinan tidak tercapai", "en": "unlikely to be met"},
    "interval_level": {"id": "selang prediksi {level} %", "en": "{level} % prediction interval"},
    "probability_reaching_target": {"id": "peluang mencapai target", "en": "probability of reaching the target"},
    "pu_participants": {"id": "peserta Penerima Upah (PU)", "en": "wage-earner (PU) participants"},
    "bpu_participants": {"id": "peserta BPU (JKK+JKM)", "en": "BPU participants in JKK+JKM"},
    "all_participants": {"id": "semua peserta aktif", "en": "all active participants"},
    "pairing": {"id": "Pembilang/penyebut", "en": "Numerator/denominator"},
    "over_100_note": {
        "id": "Di atas 100 %: peserta dihitung di tempat mereka terdaftar, Sakernas menghitung pekerja di tempat "
              "tinggalnya, sehingga penglaju dan perusahaan yang terdaftar di sini dapat membuat cakupan melebihi 100 %.",
        "en": "Over 100 %: participants are counted where they register, Sakernas counts workers where they live, "
              "so commuters and firms registered here can push coverage above 100 %.",
    },
    "default_target": {"id": "target bawaan nasional, bukan target daerah sendiri",
                       "en": "national default, not the district's own target"},
    "workers_needed_net": {"id": "Tambahan bersih per bulan", "en": "Net additional workers a month"},
    "workers_needed_gross": {"id": "Pendaftaran kotor per bulan", "en": "Gross registrations a month"},
    "lapse_rate_pct": {"id": "Tingkat berhenti per bulan", "en": "Monthly lapse rate"},
    "kind": {"id": "Jenis", "en": "Kind"},
    "risk": {"id": "risiko (JKK, JKM)", "en": "risk (JKK, JKM)"},
    "savings": {"id": "tabungan (JHT, JP)", "en": "savings (JHT, JP)"},
    "job_loss": {"id": "kehilangan pekerjaan (JKP)", "en": "job loss (JKP)"},
    "savings_withdrawals": {"id": "Pencairan tabungan (JHT, JP), di luar nilai klaim",
                            "en": "Savings withdrawals (JHT, JP), not in the claims value"},
    "claims_headline_note": {"id": "Nilai klaim tidak termasuk pencairan JHT dan JP (tabungan pekerja sendiri).",
                             "en": "The claims value leaves out JHT and JP withdrawals (the workers' own savings)."},
    "loss_ratio_note": {"id": "Rasio klaim: klaim JKK+JKM terhadap bagian iuran untuk JKK+JKM.",
                        "en": "Loss ratio: JKK+JKM claims over the part of the contributions that pays for them."},
    "participant_months": {"id": "Peserta-bulan", "en": "Participant-months"},
    "seed_facts": {"id": "Fakta yang dipublikasikan dan angka data", "en": "Published facts beside the data"},
    "published": {"id": "Dipublikasikan", "en": "Published"},
    "plans": {"id": "Rencana dan target daerah sendiri", "en": "The district's own plans and targets"},
    "plan": {"id": "Rencana", "en": "Plan"},
    "plan_source": {"id": "Sumber rencana", "en": "Source of the plan"},
    "data": {"id": "Menurut data", "en": "In the data"},
    "data_as_of": {"id": "Data per", "en": "Data as of"},
    "quantity": {"id": "Besaran", "en": "Quantity"},
    "unit": {"id": "Satuan", "en": "Unit"},
    "date": {"id": "Tanggal", "en": "Date"},
    "covered_workers": {"id": "pekerja terlindungi", "en": "workers covered"},
    "uncovered_workers": {"id": "pekerja belum terlindungi", "en": "workers not yet covered"},
    "coverage_of_potensi_pct": {"id": "cakupan potensi pekerja (dihitung)", "en": "coverage of potensi pekerja (computed)"},
    "vulnerable_village_workers": {"id": "pekerja rentan desa", "en": "vulnerable village workers"},
    "vulnerable_workers": {"id": "pekerja rentan", "en": "vulnerable workers"},
    "non_asn_workers": {"id": "pegawai non-ASN", "en": "non-ASN staff"},
    "coverage_target_pct": {"id": "target cakupan", "en": "coverage target"},
    "apbd_funded_workers": {"id": "pekerja dibiayai APBD", "en": "APBD-funded workers"},
    "planned_apbd_workers": {"id": "rencana pekerja dibiayai APBD", "en": "planned APBD-funded workers"},
    "poverty_target_pct": {"id": "target kemiskinan (di bawah)", "en": "poverty target (below)"},
    "jkm_benefit_rp": {"id": "manfaat JKM", "en": "JKM benefit"},
    "label": {"id": "Baris", "en": "Row"},
    "persons": {"id": "orang", "en": "persons"},
    "claims_unit": {"id": "klaim", "en": "claims"},
    "scenario": {"id": "skenario jumlah pekerja", "en": "scenario of N workers"},
    "needed_for_target": {"id": "pekerja yang diperlukan untuk target", "en": "workers needed to reach the target"},
    "already_funded": {"id": "Sudah dibiayai", "en": "Already funded"},
    "additional_workers": {"id": "Pekerja tambahan", "en": "Additional workers"},
    "additional_cost_rp": {"id": "Biaya tambahan", "en": "Additional cost"},
    "holdout_points": {"id": "Titik uji", "en": "Holdout points"},
    "model_choice": {"id": "Pilihan model", "en": "Model choice"},
    "residual_check": {"id": "Uji residual (Ljung-Box, 12 lag), p", "en": "Residual check (Ljung-Box, 12 lags), p"},
    "districts_p0": {"id": "Kab/kota (P0)", "en": "Districts (P0)"},
    "not_fitted": {"id": "tidak dapat diproyeksikan", "en": "cannot be projected"},
    "target_passed": {"id": "tahun target sudah lewat", "en": "target year has passed"},
    "ets_damped": {"id": "ETS tren teredam", "en": "damped-trend ETS"},
    "logistic": {"id": "kurva logistik (jenuh 100 %)", "en": "logistic curve (saturating at 100 %)"},
    "working_population": {"id": "penduduk bekerja", "en": "working population"},
    "employees": {"id": "buruh/karyawan", "en": "employees"},
    "informal_workers": {"id": "pekerja informal", "en": "informal workers"},
    "potensi_pekerja": {"id": "potensi pekerja", "en": "potential workers (potensi pekerja)"},
    "PU": {"id": "Penerima Upah (PU)", "en": "Wage earners (PU)"},
    "BPU": {"id": "Bukan Penerima Upah (BPU)", "en": "Non-wage earners (BPU)"},
    "Jakon": {"id": "Jasa Konstruksi", "en": "Construction (Jakon)"},
    "PMI": {"id": "Pekerja Migran Indonesia", "en": "Migrant workers (PMI)"},
    "self_employer": {"id": "mandiri/pemberi kerja", "en": "self/employer"},
    "apbd": {"id": "APBD", "en": "APBD"},
    "apbn": {"id": "APBN", "en": "APBN"},
    "csr": {"id": "CSR", "en": "CSR"},
    "jkk_per_1000": {"id": "Frekuensi JKK per 1.000", "en": "JKK frequency per 1,000"},
    "apbd_share_pct": {"id": "Porsi peserta dibiayai APBD", "en": "Share funded by the APBD"},
    "province_overview": {"id": "Ikhtisar provinsi", "en": "Province overview"},
    "national_overview": {"id": "Ikhtisar nasional", "en": "National overview"},
    "coverage_vs_poverty": {"id": "Cakupan dan kemiskinan", "en": "Coverage against poverty"},
    "panel_title": {"id": "Kemiskinan (P0) dan cakupan Desember tahun sebelumnya: efek tetap kabupaten/kota dan tahun",
                    "en": "Poverty (P0) and coverage of the December before: district and year fixed effects"},
    "panel_coef": {"id": "Koefisien (poin P0 per poin persen cakupan)",
                   "en": "Coefficient (P0 points per percentage point of coverage)"},
    "panel_se_clustered": {"id": "Galat baku (klaster per kabupaten/kota)", "en": "Standard error (clustered by district)"},
    "p_value": {"id": "Nilai p", "en": "p-value"},
    "panel_districts": {"id": "Jumlah kabupaten/kota", "en": "Districts"},
    "panel_years": {"id": "Tahun P0", "en": "P0 years"},
    "panel_nobs": {"id": "Jumlah observasi", "en": "Observations"},
    "panel_caveat": {"id": "Ini asosiasi, bukan efek: cakupan tidak ditetapkan secara acak, dan hal lain yang berubah "
                           "di tiap kabupaten/kota dari tahun ke tahun dapat menggerakkan keduanya.",
                     "en": "This is an association, not an effect: coverage is not assigned at random, and anything "
                           "else that changes within a district from year to year can move both."},
    "panel_missing": {"id": "Estimasi panel tidak tersedia", "en": "No panel estimate"},
    "fitted": {"id": "Berhasil", "en": "Fitted"},
    "aic": {"id": "AIC", "en": "AIC"},
    "rmse_in_sample": {"id": "RMSE (data)", "en": "RMSE (in sample)"},
    "rmse_holdout": {"id": "RMSE (uji rolling-origin)", "en": "RMSE (rolling-origin holdout)"},
    "used": {"id": "Dipakai", "en": "Used"},
    "province_p0": {"id": "P0 provinsi", "en": "Province P0"},
    "national_p0": {"id": "P0 nasional", "en": "National P0"},
    "of": {"id": "dari", "en": "of"},
    "index_title": {"id": "Daftar laporan", "en": "Reports"},
    "failed": {"id": "gagal", "en": "failed"},
    "ok": {"id": "selesai", "en": "done"},
    # --- the planners' explorer (issue 13) ---
    "explorer_title": {"id": "Penjelajah UCJ", "en": "UCJ explorer"},
    "language": {"id": "Bahasa", "en": "Language"},
    "tab_coverage": {"id": "Cakupan", "en": "Coverage"},
    "tab_claims": {"id": "Klaim", "en": "Claims"},
    "tab_poverty": {"id": "Kemiskinan", "en": "Poverty"},
    "tab_budget": {"id": "Perencana anggaran", "en": "Budget planner"},
    "tab_compare": {"id": "Bandingkan", "en": "Compare"},
    "all_segments": {"id": "semua segmen", "en": "all segments"},
    "peers_together": {"id": "daerah sebanding (gabungan)", "en": "similar districts (together)"},
    "coverage_headline": {"id": "Cakupan {name}: {pct} ({month}, {pairing})",
                          "en": "Coverage of {name}: {pct} ({month}, {pairing})"},
    "target_headline": {"id": "Target {pct} pada {year}; proyeksi {projected}: {status}",
                        "en": "Target {pct} by {year}; projected {projected}: {status}"},
    "not_fitted_headline": {"id": "Target {pct} pada {year}; proyeksi tidak tersedia: {reason}",
                            "en": "Target {pct} by {year}; no projection: {reason}"},
    "fan_only_all": {"id": "Proyeksi dan target berlaku untuk semua segmen.",
                     "en": "The projection and the target are for all segments together."},
    "apbd_programme": {"id": "Program APBD (seluruh bulan)", "en": "APBD programme (all months)"},
    "claims_window": {"id": "Klaim 12 bulan, {start} s.d. {end}", "en": "Claims over 12 months, {start} to {end}"},
    "heirs_headline": {"id": "Dibayarkan kepada ahli waris (JKM): {amount} untuk {deaths} kematian",
                       "en": "Paid to heirs (JKM): {amount} for {deaths} deaths"},
    "apbd_headline": {"id": "Program APBD: {count} klaim, {amount} dibayar ({first} s.d. {last})",
                      "en": "APBD programme: {count} claims, {amount} paid ({first} to {last})"},
    "poverty_headline": {"id": "P0 {year}: {p0} (provinsi {prov}, nasional {nat})",
                         "en": "P0 {year}: {p0} (province {prov}, nation {nat})"},
    "poverty_falling": {"id": "P0 turun {delta} poin sejak {year}.", "en": "P0 fell {delta} points since {year}."},
    "poverty_rising": {"id": "P0 naik {delta} poin sejak {year}.", "en": "P0 rose {delta} points since {year}."},
    "poverty_target_line": {"id": "Target kemiskinan daerah: di bawah {pct}", "en": "District poverty target: below {pct}"},
    "no_poverty_target": {"id": "Daerah ini tidak memiliki target kemiskinan yang dipublikasikan.",
                          "en": "No published poverty target for this district."},
    "tariff_rp": {"id": "Iuran per bulan (Rp)", "en": "Contribution a month (Rp)"},
    "by_year": {"id": "Target pada tahun", "en": "Target by year"},
    "apbd_cost": {"id": "Biaya APBD", "en": "APBD cost"},
    "expected_jkk_claims": {"id": "Perkiraan klaim JKK", "en": "Expected JKK claims"},
    "expected_jkm_claims": {"id": "Perkiraan klaim JKM", "en": "Expected JKM claims"},
    "cost_per_year_rp": {"id": "Biaya per tahun", "en": "Cost a year"},
    "reach_target": {"id": "Untuk mencapai target {pct} pada Desember {year}",
                     "en": "To reach the {pct} target by December {year}"},
    "not_counting": {"id": "Pekerja yang dibiayai APBD adalah BPU dan tidak menambah cakupan atas penyebut ini.",
                     "en": "APBD-funded workers are BPU and do not raise coverage over this denominator."},
    "compare_with": {"id": "Bandingkan dengan (maks. 5)", "en": "Compare with (up to 5)"},
    "add": {"id": "Tambah", "en": "Add"},
    "clear": {"id": "Kosongkan", "en": "Clear"},
    "compare_max": {"id": "Paling banyak 5 kabupaten/kota.", "en": "At most 5 districts."},
    "download_csv": {"id": "Unduh tabel (CSV)", "en": "Download the table (CSV)"},
    "download_xlsx": {"id": "Unduh tabel (XLSX)", "en": "Download the table (XLSX)"},
    "p0_year": {"id": "Tahun P0", "en": "P0 year"},
    "denominator_value": {"id": "Nilai penyebut", "en": "Denominator value"},
    "district_code": {"id": "Kode", "en": "Code"},
    "no_data_folder": {"id": "Data tidak dapat dibaca: {problem}. Jalankan `make demo` atau pilih folder data yang "
                             "berisi tabel kepesertaan.",
                       "en": "The data cannot be read: {problem}. Run `make demo` or name a data folder that holds "
                             "the enrolment table."},
    "no_figures": {"id": "{name} belum dapat ditampilkan: {problem}. Pilih kabupaten/kota lain atau penyebut lain.",
                   "en": "{name} cannot be shown yet: {problem}. Pick another district or another denominator."},
    "no_coverage": {"id": "tidak ada angka cakupan atas penyebut ini", "en": "there is no coverage figure over this "
                                                                              "denominator"},
}


def t(key: str, lang: Lang = "id") -> str:
    """The label for `key` in `lang` (the key itself if there is no label)."""
    entry = LABELS.get(key)
    return entry[lang] if entry else key
