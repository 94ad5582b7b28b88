"""Shared fixtures: the real raw files beside the checkout, one demo dataset per session, and an
environment in which nothing a test runs reads or writes the user's own folders."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# One BLAS thread per test process (and the kernels and workers it starts): the tests run on every core
# through pytest-xdist already, and two workers each starting OpenBLAS threads on two cores made a linear
# algebra test six times slower. Set before numpy is first imported (pytest loads this file first).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

REPO = Path(__file__).resolve().parents[1]
RAW = REPO.parent / "shared" / "data" / "raw"
P0_CSV = RAW / "bps_visdati" / "Persentase Penduduk Miskin (P0) Menurut KabupatenKota.csv"
POOR_CSV = RAW / "bps_visdati" / "Jumlah Penduduk Miskin (Ribu Jiwa) Menurut KabupatenKota.csv"
WEBAPI_JSON = RAW / "bps_webapi_rasyidarfan" / "Garis Kemiskinan.json"
LONG_CSV = RAW / "bps_muhlis000" / "kemiskinan_kabkota_2024_2025.csv"
TPT_XLSX = RAW / "tpt_tpak_jessch22" / "DATASET.xlsx"
MAPPINGS = REPO / "data" / "mappings"


@pytest.fixture(scope="session", autouse=True)
def isolated_environment(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Caches and run-time files of every library (and of the kernels tests start) go to a temp folder,
    and no data folder is named by the environment."""
    home = tmp_path_factory.mktemp("home")
    saved = dict(os.environ)
    os.environ.pop("UCJ_DATA_DIR", None)
    os.environ["XDG_CACHE_HOME"] = str(home / "cache")
    os.environ["XDG_CONFIG_HOME"] = str(home / "config")  # e.g. the participants' key (ucj.core.config)
    os.environ["MPLCONFIGDIR"] = str(home / "matplotlib")
    os.environ["JUPYTER_RUNTIME_DIR"] = str(home / "jupyter-runtime")
    os.environ["IPYTHONDIR"] = str(home / "ipython")
    yield home
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture(scope="session")
def raw() -> Path:
    if not RAW.is_dir():
        pytest.fail(f"the shared raw data must sit beside the checkout: {RAW} not found")
    return RAW


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ucj.ingest import demo

    out = tmp_path_factory.mktemp("demo")
    demo.write(out)
    return out


@pytest.fixture(scope="session")
def demo_ds(demo_dir: Path):  # type: ignore[no-untyped-def]
    import ucj

    return ucj.load(demo_dir)


# The district page's sections in the order the notebook shows them (notebooks/district_report.ipynb), as
# the page tests read them.
PAGE_SECTIONS = ("show_banner", "show_summary", "show_seed_facts", "show_coverage", "show_workers_needed",
                 "show_claims", "show_poverty", "show_peers", "show_budget", "show_data_notes")


def _sections_by_name(report) -> dict[str, list[str]]:
    """The HTML each section of a report displays, by section name, as the notebook's cells would show it."""
    import IPython.display

    shown: dict[str, list[str]] = {}
    saved = IPython.display.display
    try:
        for name in PAGE_SECTIONS:
            parts = shown.setdefault(name, [])
            IPython.display.display = lambda obj, parts=parts: parts.append(obj.data)
            getattr(report, name)()
    finally:
        IPython.display.display = saved
    return shown


class BuiltPage:
    """One district page built as `ucj report` builds it (the report, its saved folder with tables.xlsx and
    key_figures.json, and each section's HTML), shared read-only by the page tests."""

    def __init__(self, report, folder: Path, sections: dict[str, list[str]]):  # type: ignore[no-untyped-def]
        self.report, self.folder, self._sections = report, folder, sections

    def html(self, sections=PAGE_SECTIONS) -> list[str]:  # type: ignore[no-untyped-def]
        """The HTML the named sections display, in the order given (every section by default)."""
        return [part for name in sections for part in self._sections[name]]


@pytest.fixture(scope="session")
def district_page(demo_dir: Path, demo_ds, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """(code, lang) -> BuiltPage of the demo, built once a session (per test worker) instead of once per test
    module: fourteen modules built the same pages again. Tests read it and never change it."""
    from ucj.presentation import district as district_report
    from ucj.runs.params import validate_params

    cache: dict[tuple[str, str], BuiltPage] = {}

    def get(code: str, lang: str) -> BuiltPage:
        if (code, lang) not in cache:
            report = district_report.build(demo_ds, validate_params(code, lang=lang, data_dir=str(demo_dir)))
            folder = tmp_path_factory.mktemp(f"page{code.replace('.', '')}{lang}")
            report.save(folder)
            cache[code, lang] = BuiltPage(report, folder, _sections_by_name(report))
        return cache[code, lang]

    return get


def sections_html(report, sections=PAGE_SECTIONS) -> list[str]:  # type: ignore[no-untyped-def]
    """The HTML each of a report's `sections` displays, as the notebook's cells would show it, in order."""
    import IPython.display

    shown: list[str] = []
    saved = IPython.display.display
    IPython.display.display = lambda obj: shown.append(obj.data)
    try:
        for name in sections:
            getattr(report, name)()
    finally:
        IPython.display.display = saved
    return shown


@pytest.fixture(scope="session")
def random_walk_district(demo_ds):  # type: ignore[no-untyped-def]
    """(code, projection) of the first demo district (by code) whose projection uses the random walk with drift,
    found once a session (per test worker)."""
    from ucj.analysis import projection

    for code in sorted(demo_ds.targets["district_code"].unique()):
        p = projection.project_district(demo_ds, code)
        if p.model_used == "random_walk":
            return code, p
    pytest.fail("no demo district uses the random walk")


def plain_papermill_report(code: str, data_dir: Path, out: Path) -> Path:
    """The district report made by plain papermill from the stored notebook, in a fresh kernel (the reference a
    batch's reports are compared with, byte for byte): its folder `out`, made here."""
    import subprocess
    import sys

    from ucj.core.config import notebook

    out.mkdir()
    pm = subprocess.run([str(Path(sys.executable).parent / "papermill"), str(notebook("district_report")),
                         str(out / "report.ipynb"), "-p", "district", code, "-p", "data_dir", str(data_dir),
                         "-p", "output_dir", str(out)], capture_output=True, text=True)
    assert pm.returncode == 0, pm.stderr[-3000:]
    return out


def district_views(ds, every: int):  # type: ignore[no-untyped-def]
    """(view, district, its enrolment rows, its workforce rows) for every `every`-th district of the registry, in
    the data as of its latest month and as of two years before (ucj.analysis.district.as_of): the cases the
    one-district numpy paths are compared with pandas' code on."""
    import pandas as pd

    from ucj.analysis.district import as_of

    latest = pd.Timestamp(ds.enrolment["month"].max())
    for period in (latest, latest - pd.DateOffset(years=2)):
        view = as_of(ds, period)
        for d in ds.registry.all()[::every]:
            yield (view, d, view.enrolment[view.enrolment["district_code"] == d.code],
                   view.workforce[view.workforce["district_code"] == d.code])
