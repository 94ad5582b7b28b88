"""Labels in Bahasa Indonesia and English, and numbers in each locale's format (babel).

Bahasa Indonesia: "Rp1,5 M", "76,3 %", "100.841". English: "Rp 1.5 bn", "76.3 %", "100,841".
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal

from babel.numbers import format_compact_currency, format_decimal

from ucj.core.errors import UcjInputError

if TYPE_CHECKING:
    import pandas as pd

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
    import pandas as pd  # here, not at the top: a batch worker only exports HTML and needs no pandas

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
    """A percentage given in percent units, always with % and one decimal: 76.3 -> "76,3 %" / "76.3 %"."""
    if _missing(value):
        return "–"
    return f"{fmt_num(value, lang, digits)} %"


def fmt_pp(value: object, lang: Lang = "id") -> str:
    """A difference of percentages, in percentage points with a sign: "+1,2 pp" / "-0.4 pp"."""
    if _missing(value):
        return "–"
    sign = "+" if float(value) > 0 else ""  # type: ignore[arg-type]
    return f"{sign}{fmt_num(value, lang, 1)} {t('pp', lang)}"


def fmt_year(value: object) -> str:
    """A year or other code: never grouped ("2019", not "2.019" or "2,019")."""
    if _missing(value) or value == "":
        return "–"
    try:
        return str(int(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)


def fmt_dec(value: object, lang: Lang = "id", digits: int = 2) -> str:
    """A plain number without idle decimals: 5.0 -> "5", 1.79 -> "1,79" (id)."""
    if _missing(value):
        return "–"
    pattern = "#,##0." + "#" * digits if digits else "#,##0"
    return format_decimal(float(value), format=pattern, locale=_LOCALE[lang])  # type: ignore[arg-type]


def fmt_bool(value: object, lang: Lang = "id") -> str:
    """True/False in words: "ya"/"tidak", "yes"/"no"."""
    if _missing(value):
        return "–"
    return t("yes" if bool(value) else "no", lang)


def fmt_rp(value: object, lang: Lang = "id", digits: int = 2) -> str:
    """Rupiah in short form without idle decimals: "Rp4,96 M" (id) or "Rp 4.96 bn" (en); small amounts in full."""
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
    """Rupiah in full, no decimals: "Rp1.008.000.000" / "Rp 1,008,000,000"."""
    if _missing(value):
        return "–"
    sep = "" if lang == "id" else " "
    return f"Rp{sep}{fmt_int(value, lang)}"


# -- one rule per kind of number, for HTML and Excel alike ----------------------------------------
Kind = Literal["year", "code", "month", "pct", "pp", "rp", "count", "num", "bool", "text"]
YEAR_COLUMNS = frozenset({"year", "target_year", "peer_year", "from_year", "to_year"})
CODE_COLUMNS = frozenset({"district_code", "province_code", "code", "sha256"})
PCT_COLUMNS = frozenset({"p0", "province_p0", "national_p0", "mean", "lower", "upper"})
COUNT_COLUMNS = frozenset({"active", "denominator_value", "workers", "claim_count", "deaths", "rows", "months", "rank", "of",
                           "already_funded", "additional_workers", "working_population", "districts"})
# Excel number formats by kind (values stay numbers; percentages are in percent units, e.g. 76.3)
XL_FORMATS: dict[str, str] = {"year": "0", "pct": '0.0" %"', "pp": '+0.0" pp";-0.0" pp";0.0" pp"',
                              "rp": '"Rp"#,##0', "count": "#,##0", "num": "#,##0.00", "month": "yyyy-mm"}


def column_kind(name: str, series: pd.Series | None = None) -> Kind:
    """What kind of number a column holds, from its name (and dtype): the rule that formats it."""
    import pandas as pd

    if name in YEAR_COLUMNS or name.endswith("_year"):
        return "year"
    if name in CODE_COLUMNS or name.endswith("_code"):
        return "code"
    if name == "month" or (series is not None and pd.api.types.is_datetime64_any_dtype(series)):
        return "month"
    if series is not None and pd.api.types.is_bool_dtype(series):
        return "bool"
    if name.endswith("_rp"):
        return "rp"
    if name.endswith("_pct") or name in PCT_COLUMNS:
        return "pct"
    if name in COUNT_COLUMNS or (series is not None and pd.api.types.is_integer_dtype(series)):
        return "count"
    if series is not None and pd.api.types.is_numeric_dtype(series):
        return "num"
    if series is not None and len(series) and series.astype(object).map(lambda v: isinstance(v, bool)).all():  # categoricals too
        return "bool"
    return "text"


def unit_kind(unit: object) -> Kind:
    """The kind of a value whose unit is given beside it (published facts: "%", "Rp", "persons")."""
    return {"%": "pct", "Rp": "rp", "persons": "count", "claims": "count"}.get(str(unit), "num")


def fmt_kind(value: object, kind: str, lang: Lang = "id") -> str:
    """A value formatted by the rule of its kind."""
    if kind in ("year", "code"):
        return fmt_year(value) if kind == "year" else ("–" if _missing(value) else str(value))
    if kind == "month":
        import pandas as pd

        return "–" if _missing(value) else f"{pd.Timestamp(value):%Y-%m}"  # type: ignore[arg-type]
    if kind == "pct":
        return fmt_pct(value, lang)
    if kind == "pp":
        return fmt_pp(value, lang)
    if kind == "rp":
        return fmt_rp(value, lang)
    if kind == "count":
        return fmt_int(value, lang)
    if kind == "num":
        return fmt_num(value, lang, 2)
    if kind == "bool":
        return fmt_bool(value, lang)
    return "–" if _missing(value) else str(value)


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
    "coverage_by_segment": {"id": "Cakupan menurut segmen", "en": "Coverage by segment"},
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
    "data_as_of": {"id": "Data per", "en": "Data as of"},
    "quantity": {"id": "Besaran", "en": "Quantity"},
    "unit": {"id": "Satuan", "en": "Unit"},
    "date": {"id": "Tanggal", "en": "Date"},
    "poverty_target_pct": {"id": "Target kemiskinan (di bawah)", "en": "Poverty target (below)"},
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
    # -- words and units
    "yes": {"id": "ya", "en": "yes"},
    "no": {"id": "tidak", "en": "no"},
    "pp": {"id": "poin persen", "en": "pp"},
    "parameters": {"id": "parameter", "en": "parameters"},
    "reason": {"id": "Alasan", "en": "Reason"},
    "params": {"id": "Parameter model", "en": "Model parameters"},
    "mean": {"id": "Proyeksi", "en": "Projected"},
    "lower": {"id": "Batas bawah", "en": "Lower bound"},
    "upper": {"id": "Batas atas", "en": "Upper bound"},
    "peer_year": {"id": "Tahun perbandingan", "en": "Comparison year"},
    "label": {"id": "Skenario", "en": "Scenario"},
    "sha256": {"id": "sha256", "en": "sha256"},
    "file": {"id": "Berkas", "en": "File"},
    "claims_12m_label": {"id": "Nilai klaim (12 bulan)", "en": "Claims paid (12 months)"},
    "claims_count_label": {"id": "klaim", "en": "claims"},
    "chart_claims_amount": {"id": "Nilai klaim dibayar", "en": "Amount paid"},
    "chart_coverage_alt": {
        "id": "Grafik: cakupan bulanan menurut segmen (bertumpuk), proyeksi dengan selang prediksi, dan target.",
        "en": "Chart: monthly coverage by segment (stacked), the projection with its prediction interval, and the target."},
    "chart_claims_alt": {
        "id": "Grafik batang: nilai klaim menurut program dalam 12 bulan terakhir, dengan jumlah klaim pada tiap batang.",
        "en": "Bar chart: claims paid by programme over the last 12 months, with the number of claims on each bar."},
    "chart_poverty_alt": {
        "id": "Grafik garis: P0 kabupaten/kota, provinsi dan nasional per tahun; garis putus menandai perubahan "
              "penimbang SP2020 pada 2021.",
        "en": "Line chart: P0 of the district, the province and the nation by year; the dotted line marks the "
              "SP2020 weighting change in 2021."},
    "chart_scatter_alt": {
        "id": "Diagram sebar: cakupan (sumbu datar) terhadap P0 (sumbu tegak), satu titik per kabupaten/kota.",
        "en": "Scatter plot: coverage (across) against P0 (up), one dot per district."},
    "chart_map_alt": {"id": "Peta: cakupan menurut kabupaten/kota.", "en": "Map: coverage by district."},
    "synthetic_stamp": {"id": "data sintetis", "en": "synthetic data"},
    # -- sentences (templates filled with formatted values)
    "coverage_sentence": {"id": "Cakupan {coverage} ({numerator} dibagi {denominator}) pada {period}.",
                          "en": "Coverage was {coverage} ({numerator} over the {denominator}) in {period}."},
    "target_sentence": {"id": "Target {target} pada {year} ({source}).",
                        "en": "The target is {target} by {year} ({source})."},
    "projection_sentence": {
        "id": "Proyeksi ({model}): {projected} (selang prediksi {level}: {lower}–{upper}), {status}, peluang "
              "mencapai target {probability}.",
        "en": "Projection ({model}): {projected} ({level} prediction interval: {lower}–{upper}), {status}, "
              "probability of reaching the target {probability}."},
    "no_projection_sentence": {"id": "Tidak dapat diproyeksikan: {reason}.", "en": "No projection: {reason}."},
    "workers_needed_sentence": {
        "id": "Untuk mencapai {target} pada Desember {year}, perlu tambahan {total} peserta aktif dalam {months} "
              "bulan: {per_month} pekerja per bulan (penyebut tumbuh {growth} per tahun).",
        "en": "To reach {target} by December {year}, {total} more active participants are needed in {months} "
              "months: {per_month} workers a month (denominator growing {growth} a year)."},
    "target_from_parameter": {"id": "ditetapkan sebagai parameter laporan", "en": "set as a report parameter"},
    "target_default": {"id": "target nasional RPJMN, dipakai sebagai bawaan karena kabupaten/kota tidak punya "
                              "target sendiri",
                       "en": "the national RPJMN target, used as a default because the district has no target "
                             "of its own"},
    "heirs_note": {
        "id": "Manfaat kepada ahli waris menghitung santunan kematian JKM; santunan kematian JKK tidak dipisahkan "
              "dari klaim JKK lain dalam tabel klaim, sehingga tidak termasuk.",
        "en": "Benefits to heirs count JKM death benefits; JKK death benefits are not separated from other "
              "JKK claims in the claims table, so they are not included."},
    # -- why a projection or a model could not be fitted (the analysis layer's reasons)
    "reason_no_data": {"id": "tidak ada data cakupan untuk penyebut ini",
                       "en": "no coverage data for this denominator"},
    "reason_target_passed": {"id": "tahun target sudah lewat", "en": "the target year has passed"},
    "reason_too_short": {"id": "deret terlalu pendek: {n} bulan berturut-turut (perlu {need})",
                         "en": "series too short to fit: {n} consecutive months (need {need})"},
    "reason_too_flat": {"id": "deret terlalu datar untuk tren (bergerak kurang dari {pp} poin persen)",
                        "en": "series too flat to fit a trend (moves less than {pp} percentage points)"},
    "reason_ets_failed": {"id": "model ETS tidak dapat dipasang pada deret ini",
                          "en": "the ETS model could not be fitted to this series"},
    "reason_logistic_failed": {"id": "kurva logistik tidak dapat dipasang pada deret ini",
                               "en": "the logistic curve could not be fitted to this series"},
    "reason_not_used": {"id": "tidak dipakai: model lain lebih cocok", "en": "not used: the other model fits better"},
    "poor": {"id": "penduduk miskin", "en": "poor"},
    "poverty line": {"id": "garis kemiskinan", "en": "poverty line"},
    "extreme poverty": {"id": "kemiskinan ekstrem", "en": "extreme poverty"},
    "synthetic-demo": {"id": "data demo sintetis (ucj demo)", "en": "synthetic demo data (ucj demo)"},
    "reason_other": {"id": "model tidak dapat dipasang", "en": "the model could not be fitted"},
    # -- budget assumptions and their sources
    "monthly_contribution_rp": {"id": "Iuran per pekerja per bulan", "en": "Contribution per worker a month"},
    "jkm_deaths_per_1000": {"id": "Kematian (JKM) per 1.000 pekerja per tahun",
                            "en": "Deaths (JKM) per 1,000 workers a year"},
    "jkm_benefit_rp": {"id": "Santunan kematian JKM", "en": "JKM death benefit"},
    "jkk_cases_per_1000": {"id": "Kecelakaan kerja (JKK) per 1.000 pekerja per tahun",
                           "en": "Work accidents (JKK) per 1,000 workers a year"},
    "jkk_mean_benefit_rp": {"id": "Rata-rata manfaat JKK per kasus", "en": "Mean JKK benefit per case"},
    "source.monthly_contribution_rp": {
        "id": "JKK 1 % dari Rp1.000.000 + JKM Rp6.800 untuk pekerja BPU pada golongan penghasilan terendah "
              "(catatan domain §1); Rp36.800 dengan JHT",
        "en": "JKK 1 % of Rp 1,000,000 + JKM Rp 6,800 for a BPU worker at the lowest bracket (domain notes §1); "
              "Rp 36,800 with JHT"},
    "source.jkm_deaths_per_1000": {
        "id": "JKM nasional 2022: Rp2,70 T dibayar (paparan publik BPJS Ketenagakerjaan, 12 Mei 2023) / Rp42 jt per "
              "kematian / 35,86 juta peserta aktif (catatan domain §6) = 1,79 per 1.000; pekerja rentan mungkin "
              "lebih sering meninggal: ganti dengan pengalaman kantor cabang",
        "en": "national JKM 2022: Rp 2.70 tn paid (BPJS Ketenagakerjaan public expose, 12 May 2023) / Rp 42 m per "
              "death / 35.86 m active participants (domain notes §6) = 1.79 per 1,000; vulnerable workers may die "
              "more often: replace with the branch's own experience"},
    "source.jkm_benefit_rp": {
        "id": "Manfaat JKM: Rp20 jt sekaligus + Rp10 jt biaya pemakaman + Rp12 jt berkala (catatan domain §1)",
        "en": "JKM benefit: Rp 20 m lump sum + Rp 10 m funeral + Rp 12 m periodic (domain notes §1)"},
    "source.jkk_cases_per_1000": {
        "id": "JKK nasional 2023: 370.747 kasus (catatan domain §5) / 41,56 juta peserta aktif (catatan domain §6) "
              "= 8,9 per 1.000",
        "en": "national JKK 2023: 370,747 cases (domain notes §5) / 41.56 m active participants (domain notes §6) "
              "= 8.9 per 1,000"},
    "source.jkk_mean_benefit_rp": {
        "id": "asumsi: rata-rata manfaat JKK per kasus untuk pekerja BPU (perawatan medis tanpa batas)",
        "en": "assumption: mean JKK benefit per case for BPU workers (medical care is uncapped)"},
    # -- tables: names (data notes, Excel sheets) and the data notes
    "table.enrolment": {"id": "Kepesertaan", "en": "Enrolment"},
    "table.workforce": {"id": "Angkatan kerja", "en": "Workforce"},
    "table.contributions": {"id": "Iuran", "en": "Contributions"},
    "table.claims": {"id": "Klaim", "en": "Claims"},
    "table.poverty": {"id": "Kemiskinan", "en": "Poverty"},
    "table.targets": {"id": "Target", "en": "Targets"},
    "table.plans": {"id": "Rencana daerah", "en": "District plans"},
    "sheet.notes": {"id": "Catatan", "en": "Notes"},
    "sheet.coverage_by_segment": {"id": "Cakupan segmen", "en": "Coverage by segment"},
    "sheet.model_fits": {"id": "Model proyeksi", "en": "Projection models"},
    "sheet.projection": {"id": "Proyeksi", "en": "Projection"},
    "sheet.claims_12m": {"id": "Klaim 12 bulan", "en": "Claims 12 months"},
    "sheet.savings_12m": {"id": "Penarikan tabungan 12 bln", "en": "Savings withdrawals 12 m"},
    "sheet.loss_ratio_12m": {"id": "Rasio klaim 12 bulan", "en": "Loss ratio 12 months"},
    "sheet.poverty": {"id": "Kemiskinan", "en": "Poverty"},
    "sheet.peers": {"id": "Perbandingan", "en": "Comparison"},
    "sheet.budget": {"id": "Skenario anggaran", "en": "Budget scenarios"},
    "sheet.assumptions": {"id": "Asumsi", "en": "Assumptions"},
    "sheet.seed_facts": {"id": "Dipublikasikan vs dihitung", "en": "Published vs computed"},
    "sheet.plans": {"id": "Rencana daerah", "en": "District plans"},
    "sheet.provenance": {"id": "Sumber data", "en": "Data sources"},
    "sheet.summary": {"id": "Ringkasan", "en": "Summary"},
    # -- methods and sources
    "median": {"id": "median", "en": "median"},
    "error": {"id": "Galat", "en": "Error"},
    "summary_files": {"id": "Angka kunci semua kabupaten/kota", "en": "Every district's key figures"},
    "sort_hint": {"id": "Klik judul kolom untuk mengurutkan.", "en": "Click a column heading to sort."},
    "param.district": {"id": "kabupaten/kota", "en": "district"},
    "param.district_name": {"id": "nama", "en": "name"},
    "param.lang": {"id": "bahasa", "en": "language"},
    "param.data_dirs": {"id": "folder data", "en": "data folders"},
    "param.last_period": {"id": "periode terakhir", "en": "last period"},
    "param.denominator": {"id": "penyebut", "en": "denominator"},
    "param.target_pct": {"id": "target (%)", "en": "target (%)"},
    "param.target_year": {"id": "tahun target", "en": "target year"},
    "param_unset": {"id": "bawaan", "en": "default"},
    "reason_no_enrolment_then": {"id": "belum ada data kepesertaan pada saat itu",
                                 "en": "no enrolment data by then"},
    "reason_no_potensi": {"id": "tidak ada daftar potensi pekerja dalam data",
                          "en": "no potensi pekerja list in the data"},
    "reason_no_p0": {"id": "tidak ada P0 untuk tahun itu dalam data", "en": "no P0 for the year in the data"},
    "reason_no_apbd_claims": {"id": "tidak ada klaim yang dibiayai APBD dalam data",
                              "en": "no APBD-funded claims in the data"},
    "reason_no_target": {"id": "tidak ada target dalam data", "en": "no target in the data"},
    "targets_table_year": {"id": "tabel target, {year}", "en": "targets table, {year}"},
    "workers_needed_gross_sentence": {
        "id": "Karena sebagian peserta berhenti ({lapsed} per bulan), yang harus didaftarkan adalah {gross} pekerja "
              "per bulan (kotor).",
        "en": "As some participants lapse ({lapsed} a month), {gross} workers a month must be registered (gross)."},
    "march": {"id": "Maret", "en": "March"},
    "methods": {"id": "Metode dan sumber", "en": "Methods and sources"},
    "method_pairing": {"id": "Cakupan = {numerator} dibagi {denominator} ({value}), pada {period}.",
                       "en": "Coverage = {numerator} divided by the {denominator} ({value}), in {period}."},
    "method_projection": {
        "id": "Proyeksi: deret cakupan bulanan dipasangkan pada dua model (ETS tren teredam dan kurva logistik "
              "yang jenuh di 100 %); model yang dipakai: {model}. Selang prediksi {level}: peluang {level} bahwa "
              "nilai sebenarnya berada di dalamnya bila modelnya benar.",
        "en": "Projection: the monthly coverage series is fitted with two models (damped-trend ETS and a logistic "
              "curve saturating at 100 %); the model used: {model}. {level} prediction interval: a {level} chance "
              "that the true value lies inside it if the model is right."},
    "method_workers_net": {
        "id": "Pekerja yang diperlukan (bersih): tambahan peserta aktif per bulan agar cakupan mencapai target pada "
              "Desember tahun target, dengan penyebut tumbuh {growth} per tahun: {net} per bulan.",
        "en": "Workers needed (net): the additional active participants a month for coverage to reach the target by "
              "December of the target year, with the denominator growing {growth} a year: {net} a month."},
    "method_workers_gross": {
        "id": "Pekerja yang harus didaftarkan (kotor): kebutuhan bersih ditambah peserta yang berhenti "
              "({lapse} per bulan dari peserta aktif, rata-rata 12 bulan terakhir): {gross} per bulan.",
        "en": "Workers to register (gross): the net need plus the participants who lapse ({lapse} of active "
              "participants a month, mean of the last 12 months): {gross} a month."},
    "method_gross_missing": {
        "id": "Kebutuhan kotor (termasuk peserta yang berhenti) belum dihitung dalam laporan ini.",
        "en": "The gross need (including participants who lapse) is not computed in this report."},
    "method_aggregates": {
        "id": "Angka provinsi dan nasional adalah rasio jumlah, bukan rata-rata sederhana kabupaten/kota: P0, P1 "
              "dan P2 ditimbang dengan jumlah penduduk (penduduk miskin / P0), cakupan dengan penyebutnya.",
        "en": "Province and national figures are ratios of sums, not simple means of districts: P0, P1 and P2 are "
              "weighted by population (poor / P0), coverage by its denominator."},
    "method_sp2020": {
        "id": "Kemiskinan BPS: sejak 2021 Susenas memakai penimbang hasil Sensus Penduduk 2020 (SP2020); angka "
              "sebelum dan sesudah 2021 tidak sepenuhnya sebanding (garis putus pada grafik).",
        "en": "BPS poverty: since 2021 Susenas uses weights from the 2020 Population Census (SP2020); figures before "
              "and after 2021 are not fully comparable (the dotted line in the chart)."},
    "method_vintage": {
        "id": "Kemiskinan kabupaten/kota dari Susenas Maret (rilis Juli), data terakhir: {poverty}. Angkatan kerja "
              "dari Sakernas Agustus. Kepesertaan, iuran dan klaim bulanan sampai {period}.",
        "en": "District poverty from the March Susenas (released in July), latest data: {poverty}. Workforce from "
              "the August Sakernas. Monthly enrolment, contributions and claims up to {period}."},
    "choice_holdout": {"id": "RMSE uji rolling-origin lebih rendah", "en": "lower rolling-origin holdout RMSE"},
    "choice_default": {"id": "uji tidak mungkin (deret terlalu pendek): ETS sebagai bawaan",
                       "en": "no holdout possible (series too short): ETS by default"},
    "reason_holdout_not_scored": {
        "id": "uji tidak dinilai: kurva tidak dapat dipasang pada deret sampai titik asal pertama",
        "en": "holdout not scored: the curve did not fit the series up to the first origin"},
    "method_tables": {"id": "Sumber dan versi setiap tabel:", "en": "Each table's source and version:"},
    "default_target_area": {"id": "target bawaan nasional, yang dipakai kabupaten/kota di wilayah ini",
                            "en": "the national default, which the area's districts use"},
    "cell": {"id": "sel", "en": "cell"},
    "overview_report": {"id": "Ikhtisar", "en": "Overview"},
    "overviews": {"id": "Ikhtisar provinsi dan nasional", "en": "Province and national overviews"},
    "area_districts": {"id": "Kabupaten/kota di provinsi ini", "en": "The province's districts"},
    "area_districts_note": {
        "id": "Setiap baris adalah angka kabupaten/kota itu sebagaimana dalam laporannya sendiri (fungsi yang sama, "
              "periode dan penyebut yang sama), dengan target dan proyeksinya sendiri.",
        "en": "Each row is the district's figures as its own report shows them (the same function, period and "
              "denominator), with its own target and projection."},
    "method_area_target": {
        "id": "Target wilayah: {target} pada {year}, target yang dipakai sebagian besar kabupaten/kota di wilayah "
              "ini (wilayah tidak memiliki target sendiri dalam data); proyeksi memakai model yang sama dengan "
              "kabupaten/kota, pada deret cakupan bulanan wilayah (rasio jumlah).",
        "en": "The area's target: {target} by {year}, the target most of the area's districts share (an area has no "
              "target of its own in the data); the projection uses the districts' model on the area's monthly "
              "coverage (a ratio of sums)."},
    "projected_pct": {"id": "Proyeksi", "en": "Projected"},
    "lower_pct": {"id": "Batas bawah", "en": "Lower bound"},
    "upper_pct": {"id": "Batas atas", "en": "Upper bound"},
    "target_pct": {"id": "Target cakupan", "en": "Coverage target"},
    "sheet.area_districts": {"id": "Kabupaten-kota", "en": "Districts"},
    "sheet.ranking": {"id": "Peringkat", "en": "Ranking"},
    "param.province": {"id": "provinsi", "en": "province"},
    "param.year": {"id": "tahun", "en": "year"},
    "param.boundaries": {"id": "batas wilayah", "en": "boundaries"},
    "param.top": {"id": "jumlah baris peringkat", "en": "ranking rows"},
    "method_published": {
        "id": "Setiap angka yang dipublikasikan, dengan sumber publikasi dan tanggalnya, ada di bagian \"{section}\" "
              "di atas, di samping angka dari data dan selisihnya.",
        "en": "Each published figure, with its outlet and date, is in the section \"{section}\" above, beside "
              "the value the data gives and the difference."},
    "published_vs_computed": {"id": "Angka yang dipublikasikan dan yang dihitung",
                              "en": "Published and computed figures"},
    "published_none": {"id": "Tidak ada angka yang dipublikasikan untuk kabupaten/kota ini.",
                       "en": "No published figures are recorded for this district."},
    "data": {"id": "Dihitung dari data", "en": "Computed from the data"},
    "difference": {"id": "Selisih", "en": "Difference"},
    "outlet": {"id": "Sumber publikasi", "en": "Outlet"},
    "active_participants": {"id": "Peserta aktif", "en": "Active participants"},
    "covered_workers": {"id": "Pekerja terlindungi", "en": "Covered workers"},
    "coverage_target_pct": {"id": "Target cakupan", "en": "Coverage target"},
    "vulnerable_village_workers": {"id": "Pekerja rentan desa", "en": "Vulnerable village workers"},
    "vulnerable_workers": {"id": "Pekerja rentan", "en": "Vulnerable workers"},
    "non_asn_workers": {"id": "Pegawai non-ASN terlindungi", "en": "Non-ASN staff covered"},
    "apbd_funded_workers": {"id": "Pekerja dibiayai APBD", "en": "Workers funded by the APBD"},
    "planned_apbd_workers": {"id": "Rencana pekerja dibiayai APBD", "en": "Planned APBD-funded workers"},
    "uncovered_workers": {"id": "Pekerja belum terlindungi", "en": "Workers not yet covered"},
    "coverage_of_potensi_pct": {"id": "Cakupan potensi pekerja", "en": "Coverage of the potensi pekerja"},
    "no_counterpart": {"id": "tidak ada padanan dalam data", "en": "no counterpart in the data"},
    # -- the stamp on every output
    "stamp": {"id": "Dibuat {when} · ucj {version} ({commit}) · data: {tables}",
              "en": "Made {when} · ucj {version} ({commit}) · data: {tables}"},
    "stamp_dirty": {"id": "ada perubahan yang belum di-commit", "en": "with uncommitted changes"},
    "stamp_no_commit": {"id": "commit tidak diketahui", "en": "commit unknown"},
    "generated_at": {"id": "Dibuat", "en": "Made"},
    "commit": {"id": "Commit", "en": "Commit"},
    "version": {"id": "Versi", "en": "Version"},
}


def t(key: str, lang: Lang = "id") -> str:
    """The label for `key` in `lang` (the key itself if there is no label)."""
    entry = LABELS.get(key)
    return entry[lang] if entry else key


def tf(key: str, lang: Lang = "id", **values: object) -> str:
    """A catalogue sentence with its placeholders filled (values already formatted for `lang`)."""
    return LABELS[key][lang].format(**values)


# The analysis layer states its reasons in English; each known reason maps to a catalogue sentence.
_REASONS: tuple[tuple[str, str], ...] = (
    (r"no coverage data for this denominator", "reason_no_data"),
    (r"the target year has passed", "reason_target_passed"),
    (r"series too short to fit: (?P<n>\d+) consecutive months \(need (?P<need>\d+)\)", "reason_too_short"),
    (r"series too flat to fit a trend \(moves less than (?P<pp>[\d.]+) percentage points\)", "reason_too_flat"),
    (r"not used: the other model fits better", "reason_not_used"),
    (r"ETS did not fit\b.*", "reason_ets_failed"),
    (r"no counterpart in the data", "no_counterpart"),
    (r"lower rolling-origin holdout RMSE", "choice_holdout"),
    (r"no holdout possible \(series too short\): ETS by default", "choice_default"),
    (r"holdout not scored: the curve did not fit\b.*", "reason_holdout_not_scored"),
    (r"no enrolment data by then", "reason_no_enrolment_then"),
    (r"no potensi pekerja list in the data", "reason_no_potensi"),
    (r"no potensi pekerja coverage in the data", "reason_no_potensi"),
    (r"no P0 for the year in the data", "reason_no_p0"),
    (r"no APBD-funded claims in the data", "reason_no_apbd_claims"),
    (r"no target in the data", "reason_no_target"),
    (r"targets table, (?P<year>\d{4})", "targets_table_year"),
    (r"logistic curve did not fit\b.*", "reason_logistic_failed"),
)


def reason_text(reason: object, lang: Lang = "id") -> str:
    """The analysis layer's reason in the reader's language; several reasons joined by "; ".

    A reason with no catalogue sentence becomes the catalogue's general one, never English text.
    """
    import re

    if _missing(reason) or str(reason).strip() == "":
        return ""
    out = []
    for part in str(reason).split("; "):
        for pattern, key in _REASONS:
            m = re.fullmatch(pattern, part.strip())
            if m:
                values = {k: (fmt_dec(float(v), lang) if "." in v else v) for k, v in m.groupdict().items()}
                out.append(tf(key, lang, **values))
                break
        else:
            out.append(t("reason_other", lang))
    return "; ".join(dict.fromkeys(out))


def stamp_line(st: dict[str, object], lang: Lang) -> str:
    """The stamp as one line: when, which ucj and commit, which data (short hashes)."""
    commit = st.get("commit") or t("stamp_no_commit", lang)
    if st.get("dirty"):
        commit = f"{commit}, {t('stamp_dirty', lang)}"
    tables = st.get("tables") or {}
    assert isinstance(tables, dict)
    listed = ", ".join(f"{t(f'table.{n}', lang)} {str(h)[:8]}" for n, h in tables.items())
    return tf("stamp", lang, when=str(st.get("generated_at")), version=st.get("ucj"), commit=commit, tables=listed)
