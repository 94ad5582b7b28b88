"""Running report notebooks with papermill: one district, or many in parallel with a progress bar.

Each district gets `reports/<run>/<district-slug>/` with the executed notebook, a code-free HTML
page, the Excel tables, PNG figures and key_figures.json. A batch survives a district that
fails (it is listed with its error) and writes `index.html` and `run.json` at the end.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from ucj.core.config import notebook
from ucj.core.files import write_json
from ucj.data.registry import Registry
from ucj.report.i18n import Lang, t
from ucj.report.params import ReportParams, validate_params

DISTRICT_NOTEBOOK = "district_report"
KERNEL = "python3"


def run_name() -> str:
    return dt.datetime.now().strftime("%Y%m%d-%H%M%S")


def notebook_parameters(params: ReportParams, output_dir: Path) -> dict[str, object]:
    return {
        "district": params.district.code,
        "last_period": f"{params.last_period:%Y-%m}",
        "denominator": params.denominator or "",
        "target_pct": params.target_pct if params.target_pct is not None else -1.0,
        "target_year": params.target_year if params.target_year is not None else -1,
        "lang": params.lang,
        "data_dir": ";".join(str(Path(d).resolve()) for d in params.data_dirs),
        "output_dir": str(output_dir.resolve()),
    }


def run_district(params: ReportParams, run_dir: Path) -> dict[str, object]:
    """Execute the district notebook and export it; return an entry for the batch index."""
    import papermill as pm

    from ucj.report.export import notebook_to_html

    d = params.district
    out = Path(run_dir) / d.slug
    out.mkdir(parents=True, exist_ok=True)
    entry: dict[str, object] = {"district": d.code, "district_name": d.full_name, "province": d.province_name,
                                "slug": d.slug}
    started = time.perf_counter()
    executed = out / "report.ipynb"
    try:
        pm.execute_notebook(
            str(notebook(DISTRICT_NOTEBOOK)), str(executed), parameters=notebook_parameters(params, out),
            kernel_name=KERNEL, cwd=str(out), progress_bar=False, log_output=False,
            extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no transport notice on every run
        )
        title = f"{t('report_title', params.lang)}: {d.full_name}"
        notebook_to_html(executed, out / "report.html", title)
        key = json.loads((out / "key_figures.json").read_text())
        entry |= {"status": "ok", "html": f"{d.slug}/report.html", "coverage_pct": key["coverage_pct"],
                  "target_pct": key["target_pct"], "target_year": key["target_year"],
                  "projection_status": key["projection"]["status"], "synthetic_tables": key["synthetic_tables"]}
    except pm.PapermillExecutionError as err:
        entry |= {"status": "failed", "error": f"{err.ename}: {err.evalue}".strip()[:500],
                  "notebook": f"{d.slug}/report.ipynb"}
    except Exception as err:  # noqa: BLE001 - one bad district must not stop a batch
        entry |= {"status": "failed", "error": f"{type(err).__name__}: {err}"[:500]}
    entry["seconds"] = round(time.perf_counter() - started, 2)
    return entry


def _run_one(args: tuple[ReportParams, Path]) -> dict[str, object]:
    return run_district(*args)


def run_many(params_list: list[ReportParams], run_dir: Path, workers: int | None = None,
             progress: bool = True, title: str | None = None) -> list[dict[str, object]]:
    """Run many district reports in parallel processes; write index.html and run.json."""
    from tqdm import tqdm

    from ucj.report.export import write_index

    run_dir.mkdir(parents=True, exist_ok=True)
    workers = workers or max(1, min(len(params_list), os.cpu_count() or 1))
    entries: list[dict[str, object]] = []
    bar = tqdm(total=len(params_list), unit="report", disable=not progress)
    if workers == 1:
        for p in params_list:
            entries.append(run_district(p, run_dir))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(_run_one, (p, run_dir)) for p in params_list]
            for f in as_completed(futures):
                entries.append(f.result())
                bar.update()
    bar.close()
    entries.sort(key=lambda e: str(e["district"]))
    lang: Lang = params_list[0].lang if params_list else "id"
    synthetic = _any_synthetic(entries)
    write_index(run_dir / "index.html", entries, lang, synthetic, title or t("index_title", lang))
    write_json(run_dir / "run.json", {"reports": entries, "finished_at": dt.datetime.now().isoformat(timespec="seconds"),
                                      "parameters": [p.as_dict() for p in params_list]})
    return entries


def _any_synthetic(entries: list[dict[str, object]]) -> bool:
    """Whether any report of the batch showed synthetic data (as its key figures record)."""
    return any(e.get("synthetic_tables") for e in entries)


def params_for(districts: list[str], registry: Registry, **kw: object) -> list[ReportParams]:
    """Validate the parameters of every district before any kernel starts."""
    return [validate_params(d, registry=registry, **kw) for d in districts]  # type: ignore[arg-type]


def districts_in(province: str | None, registry: Registry) -> list[str]:
    reg = registry
    if province is None:
        return [d.code for d in reg.all()]
    return [d.code for d in reg.in_province(province)]
