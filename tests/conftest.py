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
