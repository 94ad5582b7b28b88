"""Reports read in one language, follow one number format per kind, keep text cells safe and say
when, from what and how they were made. The four seed districts are rendered in both languages
and everything a reader sees is collected: the HTML of every section, the images' alt text, the
texts drawn on the charts, and every cell and sheet name of tables.xlsx."""

from __future__ import annotations

import html as html_lib
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from matplotlib.text import Text

from conftest import REPO, sections_html
from ucj.core.stamp import portable_path
from ucj.presentation import district as district_report
from ucj.presentation.i18n import LABELS, XL_FORMATS, fmt_bool, fmt_pct, fmt_rp, fmt_year, reason_text, t
from ucj.runs.params import validate_params

SEEDS = {"71.02": "Minahasa", "72.01": "Banggai", "75.02": "Boalemo", "74.13": "Muna Barat"}


def _shown_html(report) -> str:
    """Everything the notebook would display for the report, as HTML."""
    return "\n".join(sections_html(report))


def _visible_text(page: str) -> str:
    """The text a reader meets: tag contents and alt texts, without styles and inline images."""
    page = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    alts = " ".join(re.findall(r'alt="([^"]*)"', page))
    page = re.sub(r"<[^>]+>", "\n", page)
    return html_lib.unescape(page + "\n" + alts)


def _chart_text(report) -> str:
    parts = []
    for fig in report.charts.values():
        parts += [a.get_text() for a in fig.findobj(Text)]
    return "\n".join(parts)


def _renderer(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _xlsx_text(path: Path) -> str:
    wb = openpyxl.load_workbook(path)
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    return "\n".join(wb.sheetnames + cells)


@pytest.fixture(scope="module")
def rendered(district_page):
    """(code, lang) -> (report, visible text, output folder), each rendered once when first asked for."""
    cache: dict = {}

    class Rendered:
        def __getitem__(self, item):
            if item not in cache:
                built = district_page(*item)
                report, folder = built.report, built.folder
                text = "\n".join([_visible_text("\n".join(built.html())), _chart_text(report),
                                  _xlsx_text(folder / "tables.xlsx")])
                cache[item] = (report, text, folder)
            return cache[item]

    return Rendered()


# -- the catalogue --------------------------------------------------------------------------------
def test_every_key_in_both_languages_with_the_same_placeholders():
    for key, entry in LABELS.items():
        assert set(entry) == {"id", "en"} and all(v.strip() for v in entry.values()), key
        fields = [sorted(re.findall(r"{(\w+)}", entry[lang])) for lang in ("id", "en")]
        assert fields[0] == fields[1], key


def test_no_catalogue_key_is_written_twice():
    """gettext keeps one of two equal msgids silently (a merge can add one): each key once per file."""
    for lang in ("id", "en"):
        text = (REPO / "ucj" / "resources" / "locale" / f"{lang}.po").read_text(encoding="utf-8")
        keys = re.findall(r'^msgid "(.+)"$', text, flags=re.M)
        assert len(keys) == len(LABELS) > 200 and sorted({k for k in keys if keys.count(k) > 1}) == [], lang


def test_every_key_the_report_layer_names_is_in_the_catalogue():
    """Literal keys passed to t()/tf() anywhere in the report layer exist (t() would show the bare key)."""
    missing = []
    for module in [*(REPO / "ucj" / "presentation").glob("*.py"), *(REPO / "ucj" / "runs").glob("*.py")]:
        for key in re.findall(r"\bt[f]?\(\s*[\"']([^\"'{}]+)[\"']", module.read_text()):
            if key not in LABELS:
                missing.append(f"{module.name}: {key}")
    assert missing == []


def test_every_assumption_and_table_has_catalogue_words(demo_ds):
    from ucj.analysis.budget import Assumptions

    for name in Assumptions().describe()["assumption"]:
        assert name in LABELS and f"source.{name}" in LABELS, name
    for name in demo_ds.info:
        assert f"table.{name}" in LABELS, name


def _foreign_phrases(lang: str) -> list[str]:
    """The other language's catalogue texts (literal fragments of sentences) that this language never uses."""
    other = "en" if lang == "id" else "id"
    own = "\n".join(e[lang] for e in LABELS.values())
    phrases = set()
    for entry in LABELS.values():
        if entry[other] == entry[lang]:
            continue
        for fragment in re.split(r"{\w+}", entry[other]):
            fragment = fragment.strip(" .,:;()–-")
            if len(fragment) < 2 or re.search(rf"(?<!\w){re.escape(fragment)}(?!\w)", own):
                continue  # too short to tell, or this language's catalogue says the same
            phrases.add(fragment)
    return sorted(phrases)


def _data_strings(report) -> list[str]:
    """Text quoted from the data (names, cited sources), which stays as published."""
    k = report.key
    quoted = [str(k.get("target_source") or ""), report.params.district.full_name,
              report.params.district.province_name]
    # the data folder as the stamp shows it: relative to the checkout, e.g. "../../pytest-of-root/..." when
    # both sit under /tmp, so the words of a path are not catalogue words
    quoted += [portable_path(d) for d in report.params.data_dirs]
    facts = report.results.seed_facts
    if facts is not None:  # each fact's source as the seed file names it, and the article's words as quoted
        quoted += [str(s) for s in facts.get("source", [])] + [f"“{w}”" for w in facts.get("wording", []) if w]
    events = report.results.agreement_events  # a funding agreement's end or renewal in its source's words (R18-1)
    quoted += [f"“{w}”" for w in (events["wording"] if len(events) else [])]
    from ucj.data.published import citations
    from ucj.presentation.tables import BPS_TITLES

    c = citations()  # cited titles and outlets stay as published
    quoted += [x for x in list(c["title"]) + list(c["publisher"]) if x] + list(BPS_TITLES.values())
    plans = report.tables.get("plans")
    if plans is not None:  # each plan's source as the seed file cites it
        quoted += [str(s) for s in plans.get("plan_source", [])]
        quoted += [str(s) for s in plans.get("wording", []) if s and s != "–"]  # the article's words, as quoted
    villages = report.tables.get("villages")
    if villages is not None:  # Kemendagri's village and kecamatan names ("Sumber Harapan" is a name, not a word)
        quoted += [str(s) for col in ("village", "kecamatan") for s in villages.get(col, [])]
    return sorted((q for q in quoted if q), key=len, reverse=True)


def _only_one_language(rendered, lang: str, codes) -> None:
    foreign = _foreign_phrases(lang)
    assert len(foreign) > 100  # the check has teeth: most of the catalogue differs between languages
    for code in codes:
        report, text, _ = rendered[code, lang]
        for quoted in _data_strings(report):
            text = text.replace(quoted, " ")
        found = [p for p in foreign if re.search(rf"(?<!\w){re.escape(p)}(?!\w)", text)]
        assert found == [], f"{SEEDS[code]} ({lang}) shows the other language: {found[:10]}"


@pytest.mark.parametrize("lang", ["id", "en"])
def test_a_reader_meets_only_the_reports_language(rendered, lang):
    _only_one_language(rendered, lang, ["75.02"])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["id", "en"])
def test_the_four_seed_reports_each_in_one_language(rendered, lang):
    _only_one_language(rendered, lang, list(SEEDS))


def test_booleans_and_reasons_in_words(rendered):
    report, text, _ = rendered["75.02", "id"]
    assert "True" not in text and "False" not in text
    fits = report.display_table("model_fits")
    assert set(fits[t("fitted", "id")]) <= {"ya", "tidak"}
    assert fmt_bool(False, "en") == "no" and fmt_bool(True, "id") == "ya"
    assert reason_text("reason_too_short(n=12, need=24)", "id") == \
        "deretnya terlalu pendek (12 bulan berturut-turut, perlu 24)"
    assert reason_text("reason_ets_failed", "id") == "model ETS tidak dapat dipasang pada deret ini"
    assert reason_text("some new reason", "en") == t("reason_other", "en")  # never raw text of another language
    assert reason_text("a_code_the_catalogue_lacks", "id") == t("reason_other", "id")


# -- one formatting rule per kind of number -------------------------------------------------------
def test_years_are_never_grouped_in_html_and_excel(rendered):
    for lang in ("id", "en"):
        report, text, folder = rendered["75.02", lang]
        years = [int(y) for y in report.tables["poverty"]["year"]]
        assert years and not re.search(r"\b20[.,]\d{2}\b(?![.,]\d)", text)  # no "2.019" / "2,019"
        shown = report.display_table("poverty")[t("year", lang)].tolist()
        assert shown == [str(y) for y in years]
        ws = openpyxl.load_workbook(folder / "tables.xlsx")[t("sheet.poverty", lang)]
        assert ws.cell(1, 1).value == t("year", lang)
        cells = [ws.cell(i, 1) for i in range(2, ws.max_row + 1)]
        assert [c.value for c in cells] == years and all(c.number_format == "0" for c in cells)
    assert fmt_year(2019) == "2019" and fmt_year(2019.0) == "2019"


def test_percentages_carry_the_sign_and_one_decimal(rendered):
    report, text, folder = rendered["75.02", "id"]
    seg = report.display_table("coverage_by_segment").iloc[:, 2]  # "Cakupan (% dari penduduk bekerja)" (R16-5)
    assert all(re.fullmatch(r"\d+,\d %", v) for v in seg), list(seg)
    assert fmt_pct(25.394, "id") == "25,4 %" and fmt_pct(25.394, "en") == "25.4 %" and fmt_pct(7, "en") == "7.0 %"
    ws = openpyxl.load_workbook(folder / "tables.xlsx")[t("sheet.coverage_by_segment", "id")]
    pct = [ws.cell(i, 3) for i in range(2, ws.max_row + 1)]
    values = list(report.tables["coverage_by_segment"]["coverage_pct"])
    assert [c.value for c in pct] == pytest.approx(values)  # numbers in percent units, not text
    assert all(c.number_format == XL_FORMATS["pct"] for c in pct)


def test_rupiah_without_idle_decimals(rendered):
    report, text, folder = rendered["75.02", "id"]
    rupiah = []
    for name in report.tables:
        s = report.shown(name)
        shown = report.display_table(name)
        for j, col in enumerate(s.values.columns):
            rupiah += [v for v, kind in zip(shown.iloc[:, j], s.kinds[col]) if kind == "rp" and v != "–"]
    assert len(rupiah) > 20 and all(v.startswith("Rp") for v in rupiah)
    assert not [v for v in rupiah if re.search(r",\d*0(\s|$)", v)]  # no "16.800,00", no "Rp1,50 M"
    shown = report.display_table("assumptions")
    values = dict(zip(report.tables["assumptions"]["assumption"], shown[t("value", "id")]))
    assert values["monthly_contribution_rp"] == "Rp16.800" and values["jkm_benefit_rp"] == "Rp42 jt"
    assert fmt_rp(1_500_000_000, "en") == "Rp 1.5 bn" and fmt_rp(16_800.0, "id") == "Rp16.800"
    ws = openpyxl.load_workbook(folder / "tables.xlsx")[t("sheet.budget", "id")]
    headers = [c.value for c in ws[1]]
    cost = ws.cell(2, headers.index(t("cost_rp", "id")) + 1)
    assert isinstance(cost.value, int) and cost.number_format == XL_FORMATS["rp"]
    workers = ws.cell(2, headers.index(t("workers", "id")) + 1)
    assert isinstance(workers.value, int) and workers.number_format == XL_FORMATS["count"]


def test_excel_sheets_and_headers_are_in_the_reports_language(rendered):
    for lang in ("id", "en"):
        _, _, folder = rendered["75.02", lang]
        wb = openpyxl.load_workbook(folder / "tables.xlsx")
        assert wb.sheetnames[0] == t("sheet.notes", lang)
        assert t("sheet.claims_12m", lang) in wb.sheetnames and "claims_12m" not in wb.sheetnames
        assert all(len(n) <= 31 for n in wb.sheetnames)


# -- figures --------------------------------------------------------------------------------------
def test_synthetic_stamp_covers_no_label(rendered):
    report, _, _ = rendered["75.02", "en"]
    for name, fig in report.charts.items():
        renderer = _renderer(fig)
        texts = [a for a in fig.findobj(Text) if a.get_visible() and a.get_text().strip()]
        stamps = [a for a in texts if a.get_text() == t("synthetic_stamp", "en")]
        assert len(stamps) == (1 if report.results.chart_synthetic[name] else 0), name  # only on made-up data
        if not stamps:
            continue
        box = stamps[0].get_window_extent(renderer)
        others = [a for a in texts if a is not stamps[0]]
        clash = [a.get_text() for a in others if box.overlaps(a.get_window_extent(renderer))]
        assert clash == [], (name, clash)
        ax = fig.axes[0]
        assert not box.overlaps(ax.get_window_extent(renderer))  # outside the plotting area


def test_every_image_has_alt_text(rendered):
    report, _, _ = rendered["75.02", "id"]
    page = _shown_html(report)
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == len(report.charts) == 3
    for img in images:
        alt = re.search(r'alt="([^"]+)"', img)
        assert alt and len(alt.group(1)) > 20, img[:80]


def test_overview_scatter_labels_do_not_overlap(demo_ds):
    from ucj.presentation.overview import build_overview

    ov = build_overview(demo_ds, None, "en")
    fig = ov.charts["scatter"]
    r = _renderer(fig)
    ax = fig.axes[0]
    labels = [a for a in ax.texts if a.get_text()]
    assert len(labels) == 3
    boxes = [a.get_window_extent(r) for a in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_print_stylesheet_keeps_tables_whole():
    from ucj.core.config import stylesheet

    css = stylesheet("page")
    media = css[css.index("@media print"):]
    assert re.search(r"table[^{]*\{[^}]*break-inside:avoid", media)
    assert "thead{display:table-header-group}" in media


# -- methods, sources, stamp, paths ---------------------------------------------------------------
def test_methods_section_says_how_and_from_what(rendered):
    report, text, _ = rendered["75.02", "en"]
    assert t("methods", "en") in text
    assert "80 % prediction interval" in text  # the interval level, from the projection
    assert "SP2020" in text and "March Susenas" in text
    # the demo's workforce table is synthetic: the methods say so, never "from the August Sakernas" (reader 8, S4)
    assert "workforce" in report.synthetic_tables
    assert "Workforce (coverage's denominator): synthetic demo data, not BPS Sakernas figures." in text
    assert "August Sakernas" not in text
    assert "all active participants divided by the working population" in text
    assert report.projection.interval == 0.8 and fmt_pct(report.key["coverage_pct"], "en") in text


def test_stamp_on_every_output(rendered):
    report, text, folder = rendered["75.02", "en"]
    st = report.key["provenance"]["stamp"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", st["generated_at"])  # with its zone
    assert st["ucj"] and set(st["tables"]) == set(report.key["provenance"]["tables"])
    assert all(len(h) == 12 for h in st["tables"].values())
    line = report.stamp_text()
    assert st["generated_at"] in line and st["generated_at"] in text
    notes = _xlsx_text(folder / "tables.xlsx")
    assert line in notes


def test_commit_comes_from_git_in_a_checkout():
    import subprocess

    from ucj.core.stamp import code_version

    v = code_version()
    head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True).stdout
    assert v["commit"] and head.startswith(str(v["commit"]))
    status = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                            capture_output=True, text=True).stdout
    assert v["dirty"] == bool(status.strip())


def test_portable_paths():
    from ucj.core.stamp import portable_path

    assert portable_path("data/demo") == "data/demo"
    assert portable_path("/work/x/data/demo", "/work/x/reports/r/a") == "../../../data/demo"
    assert portable_path("/tmp/abc/demo", "/work/x") == "demo"


def test_no_absolute_path_in_any_output(rendered, demo_dir, tmp_path):
    """key_figures.json, tables.xlsx and the page text hold no absolute path of the machine."""
    report, text, folder = rendered["75.02", "id"]
    forbidden = [str(demo_dir), str(demo_dir.parent), str(REPO), str(Path.home()), str(tmp_path.parent.parent)]
    blobs = {"page": text, "key_figures.json": (folder / "key_figures.json").read_text(),
             "tables.xlsx": _xlsx_text(folder / "tables.xlsx")}
    for name, blob in blobs.items():
        for path in forbidden:
            assert path not in blob, (name, path)
    params = json.loads(blobs["key_figures.json"])["provenance"]["parameters"]
    assert all(not d.startswith("/") for d in params["data_dirs"])


# -- safe text cells ------------------------------------------------------------------------------
def test_formula_in_the_data_stays_text_in_excel_and_csv(demo_ds, demo_dir, tmp_path):
    from ucj.core.files import safe_csv_text, write_csv
    from ucj.runs.index_page import write_summary

    evil = '=HYPERLINK("http://example.invalid","click")'
    targets = demo_ds.targets.copy()
    targets.loc[targets["district_code"] == "75.02", "target_source"] = evil
    ds = demo_ds.replace({"targets": targets})
    report = district_report.build(ds, validate_params("75.02", data_dir=str(demo_dir)))
    report.tables["provenance"].loc[0, "source"] = evil  # a source string from a mapping
    report.tables["provenance"].loc[1, "source"] = "@SUM(A1)"
    report.save(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "tables.xlsx")
    cells = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str) and c.value.startswith(("=", "@"))]
    assert {c.value for c in cells} >= {evil, "@SUM(A1)"}
    assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    # summary files of a run whose district name came from the data
    entry = {"district": "75.02", "district_name": evil, "province": "+cmd", "status": "failed", "error": "-1+1"}
    csv_path, xlsx_path = write_summary(tmp_path, [entry])
    rows = pd.read_csv(csv_path, dtype=str)
    assert rows.loc[0, "district"] == "'" + evil and rows.loc[0, "province"] == "'+cmd"
    ws = openpyxl.load_workbook(xlsx_path).active
    risky = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value[:1] in "=+-@"]
    assert len(risky) == 3 and all(c.data_type == "s" and c.quotePrefix for c in risky)
    assert safe_csv_text("\tx") == "'\tx" and safe_csv_text(-5) == -5 and safe_csv_text("ok") == "ok"
    write_csv(tmp_path / "x.csv", pd.DataFrame({"a": ["=1+1"]}))
    assert (tmp_path / "x.csv").read_text().splitlines()[1] == "'=1+1"


@pytest.mark.slow
def test_no_absolute_path_in_the_files_of_a_cli_report(demo_dir, tmp_path):
    """Every file the report layer writes (page, key figures, Excel, figures, index, run.json and the
    executed notebook, whose parameters cell gives the data folder relative to the report) is free of
    the machine's absolute paths."""
    import subprocess
    import sys

    out = tmp_path / "reports"
    run = subprocess.run([str(Path(sys.executable).parent / "ucj"), "report", "--district", "Boalemo", "--data-dir",
                          str(demo_dir), "--out", str(out), "--run", "p"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    files = [f for f in out.rglob("*") if f.is_file()]
    assert {f.name for f in files} >= {"report.html", "key_figures.json", "tables.xlsx", "coverage.png",
                                       "report.ipynb", "run.json", "index.html"}
    forbidden = [str(tmp_path), str(demo_dir), str(REPO), str(Path.home())]
    for f in files:
        data = f.read_bytes()
        if f.suffix == ".xlsx":
            data = _xlsx_text(f).encode()
        for path in forbidden:
            assert path.encode() not in data, (f.name, path)


def test_published_and_computed_table_shows_the_difference_in_the_facts_unit():
    """A hand-made table in the analysis layer's form (ucj.analysis.facts.seed_facts): the report adds the
    difference, data minus published, and formats each row by its unit."""
    from ucj.presentation.district import published_and_computed
    from ucj.presentation.tables import as_html_frame, shown

    facts = pd.DataFrame({
        "quantity": ["covered_workers", "coverage_pct", "claim_amount_rp", "vulnerable_workers"],
        "published": [100_841.0, 76.0, 4_960_000_000.0, 15_000.0], "unit": ["persons", "%", "Rp", "persons"],
        "date": ["2023-09", "2023-09", "2025-07-30", "2023-09"],
        "source": ["seed 003 (ANTARA Sulut)"] * 2 + ["seed 004 (PPID Muna Barat)"] * 2,
        "data": [100_000.0, 76.33, 4_960_000_000.0, float("nan")],
        "data_as_of": ["2023-09", "2023-09", "2022-11 – 2024-12", "no_counterpart"]})
    table = published_and_computed(facts, "id")
    assert list(table["difference"][:3]) == pytest.approx([-841.0, 0.33, 0.0])
    id_ = as_html_frame(shown("seed_facts", table, "id"), "id")
    assert list(id_[t("difference", "id")]) == ["\u2212841", "+0,3 poin persen", "Rp0", "–"]
    assert list(id_[t("published", "id")]) == ["100.841", "76,0 %", "Rp4,96 M", "15.000"]
    assert id_[t("data_as_of", "id")].iloc[3] == t("no_counterpart", "id")
    assert t("unit", "id") not in id_.columns
    assert list(id_[t("citation", "id")])[:2] == [  # cited, not "seed 003"; its bound with the term's source (R15-1)
        "ANTARA Sulut, Bupati Minahasa targetkan seluruh pekerja dilindungi BPJAMSOSTEK, terbit paling lambat 24 September "
        "2023, selagi Bupati yang dikutipnya masih menjabat (suluttempo.com, Gubernur Olly Minta Lima Penjabat Kepala "
        "Daerah Jaga Integritas, Jadi Pemimpin Harus Mampu menjalankan Tugas dengan Baik, 25 September 2023 menurut "
        "alamat halaman)"] * 2
    en = as_html_frame(shown("seed_facts", table, "en"), "en")
    assert list(en[t("quantity", "en")]) == [t(q, "en") for q in facts["quantity"]] != list(facts["quantity"])
    assert en[t("difference", "en")].iloc[1] == "+0.3 pp"


def test_every_published_quantity_has_catalogue_words():
    from ucj.data.published import published_facts

    missing = sorted(set(published_facts()["quantity"]) - set(LABELS))
    assert missing == []


@pytest.mark.parametrize("code", ["74.13", "75.01"])  # Muna Barat (seed articles), Kabupaten Gorontalo (none)
def test_the_published_facts_appear_once_in_a_report(rendered, code):
    """One "published and computed" table, after the summary and before the methods, which point to it;
    a district without published facts says so in the same place."""
    report, _, _ = rendered[code, "en"]
    page = _shown_html(report)
    heading = f'<h2 class="ucj-h">{t("published_vs_computed", "en")}</h2>'
    assert page.count(heading) == 1
    assert page.index(heading) < page.index(f'<h2 class="ucj-h">{t("methods", "en")}</h2>')
    has_facts = not report.tables["seed_facts"].empty
    assert page.count(f"<th>{t('difference', 'en')}</th>") == (1 if has_facts else 0)  # plans have none
    assert (t("published_none", "en") in page) is not has_facts
    assert 'the section "Published and computed figures" above' in html_lib.unescape(page)
