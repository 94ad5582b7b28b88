"""No state carried between reports (speedf): two districts' reports made in one process, in both orders
(A then B in one process, B then A in another, each sharing its data and all-district tables as a kernel
does), give the same files: the page's HTML as the cells display it, key_figures.json, tables.xlsx cell
for cell and the PNG charts byte for byte; only the time each report was made differs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

MAKE = """
import sys
from pathlib import Path
from ucj.presentation import district as report_module
from ucj.runs.params import validate_params

data_dir, out = sys.argv[1], Path(sys.argv[2])
ds = report_module.load_data(data_dir)
peer_tables = report_module.PeerTables(ds)
for arg in sys.argv[3:]:
    code, lang = arg.split(":")
    params = validate_params(code, "", "", -1.0, -1, lang, data_dir, registry=ds.registry)
    report = report_module.build(ds, params, comparison=peer_tables, report_dir=str(out / code))
    shown = []
    report._html = shown.append  # what each cell displays, in order
    for step in ("show_banner", "show_summary", "show_seed_facts", "show_coverage", "show_workers_needed",
                 "show_claims", "show_villages", "show_poverty", "show_peers", "show_budget", "show_data_notes"):
        getattr(report, step)()
    folder = out / code
    folder.mkdir(parents=True)
    report.save(folder)
    (folder / "page.html").write_text("\\n".join(shown))
    (folder / "made_at.txt").write_text(report.provenance["generated_at"])
"""


def _make(demo_dir: Path, out: Path, *reports: str) -> None:
    subprocess.run([sys.executable, "-c", MAKE, str(demo_dir), str(out), *reports], check=True)


def _files(folder: Path) -> dict[str, object]:
    made_at = (folder / "made_at.txt").read_text()
    plain = lambda s: s.replace(made_at, "<made at>") if isinstance(s, str) else s  # noqa: E731
    out: dict[str, object] = {"page.html": plain((folder / "page.html").read_text()),
                              "key_figures.json": plain((folder / "key_figures.json").read_text())}
    wb = load_workbook(folder / "tables.xlsx")
    out["tables.xlsx"] = [(ws.title, [(c.coordinate, plain(c.value), c.number_format, bool(c.quotePrefix))
                                      for row in ws.iter_rows() for c in row]) for ws in wb.worksheets]
    for png in sorted(folder.glob("*.png")):
        out[png.name] = png.read_bytes()
    return out


def test_two_districts_in_both_orders_make_the_same_files(demo_dir, tmp_path):
    a, b = "75.02:id", "32.04:en"  # two provinces, two languages
    _make(demo_dir, tmp_path / "ab", a, b)
    _make(demo_dir, tmp_path / "ba", b, a)
    for code in ("75.02", "32.04"):
        first = _files(tmp_path / ("ab" if code == "75.02" else "ba") / code)
        after = _files(tmp_path / ("ba" if code == "75.02" else "ab") / code)
        assert sorted(first) == sorted(after) == ["claims.png", "coverage.png", "key_figures.json", "page.html",
                                                   "poverty.png", "tables.xlsx"]
        for name in first:
            assert first[name] == after[name], (code, name)
        assert json.loads(first["key_figures.json"])["district_code"] == code  # type: ignore[arg-type]
        assert "<img" in first["page.html"] and "<table" in first["page.html"]  # type: ignore[operator]
