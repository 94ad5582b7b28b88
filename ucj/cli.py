"""The `ucj` command: a thin face over the package. Bad input prints one line per problem and
exits 2; nothing prints a traceback unless UCJ_DEBUG=1."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable, Optional, TypeVar

import typer

from ucj.core.config import DEMO_DIR, PROCESSED_DIR, REPORTS_DIR
from ucj.core.errors import UcjInputError

app = typer.Typer(help="UCJ research workbook: coverage, claims and poverty by district.",
                  pretty_exceptions_enable=False, no_args_is_help=True)
import_app = typer.Typer(help="Import planners' real files into validated tables (data/processed).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")

F = TypeVar("F", bound=Callable[..., object])


def friendly(func: F) -> F:
    """Turn UcjInputError (and any unexpected error) into readable lines and an exit code."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            return func(*args, **kwargs)
        except UcjInputError as err:
            typer.echo("error: the input cannot be used as it is:", err=True)
            for line in err.render().splitlines():
                typer.echo(f"  {line}", err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - the user gets a line, developers get UCJ_DEBUG
            if os.environ.get("UCJ_DEBUG"):
                raise
            typer.echo(f"error: {type(err).__name__}: {err} (set UCJ_DEBUG=1 for details)", err=True)
            raise typer.Exit(1) from None

    return wrapper  # type: ignore[return-value]


_DATA = typer.Option("", "--data-dir", help="data folder(s), separated by ';'; later folders win "
                                         "(default: $UCJ_DATA_DIR, else data/demo here or in a folder above)")


@app.command()
@friendly
def demo(out: Path = typer.Option(DEMO_DIR, help="folder to write the demo tables to"),
         seed: int = typer.Option(20251209, help="random seed; the same seed gives byte-identical files")) -> None:
    """Build the synthetic demo dataset (all 514 districts, 2019-2025)."""
    from ucj.ingest import demo as demo_mod

    manifest = demo_mod.write(out, seed)
    tables = manifest["tables"]
    assert isinstance(tables, dict)
    typer.echo(f"wrote synthetic demo data to {out}: " + ", ".join(f"{k} ({v['rows']:,} rows)" for k, v in tables.items()))


@app.command()
@friendly
def summary(data_dir: str = _DATA) -> None:
    """Load, validate and summarise a dataset."""
    import ucj
    from ucj.report.params import split_dirs
    from ucj.report.summary import render

    typer.echo(render(ucj.load(*split_dirs(data_dir))))


@app.command()
@friendly
def district(query: str, province: Optional[str] = typer.Option(None, help="limit to one province")) -> None:
    """Resolve a district name or code the way imports and reports do."""
    from ucj.data.registry import load_registry

    d = load_registry().district(query, province=province)
    typer.echo(f"{d.code}  {d.full_name}, {d.province_name}")


@app.command()
@friendly
def schema() -> None:
    """Print the data dictionary (the schemas of every table)."""
    from ucj.data.schema import describe

    typer.echo(describe())


@app.command()
@friendly
def templates(out: Path = typer.Option(Path("data/templates"), help="folder for the empty templates")) -> None:
    """Write the templates a planner fills in (enrolment, claims, contributions, workforce, targets), as CSV
    and XLSX, each with a worked example."""
    from ucj.ingest.mapped import write_templates

    for p in write_templates(out):
        typer.echo(f"wrote {p}")


def _finish_import(result: object, out: Path) -> None:
    from ucj.ingest.common import ImportResult, write_processed

    assert isinstance(result, ImportResult)
    target = write_processed(result, out)
    typer.echo(result.summary())
    typer.echo(f"wrote {target} (manifest: {out / 'manifest.json'})")


_OUT = typer.Option(PROCESSED_DIR, help="folder for processed tables")
_ALLOW = typer.Option(False, "--allow-unmatched", help="import what matches; list the rest in the manifest")
_YEAR = typer.Option(None, "--year", min=1900, max=2100,
                     help="the year of a table that holds one year but names it only in its title or file name "
                          "(or the one year to take from a table of many)")


@import_app.command("bps-table")
@friendly
def import_bps_table(file: Path, indicator: Optional[str] = typer.Option(
                         None, help="column to fill, e.g. p0 (needed only when the title is not recognised)"),
                     out: Path = _OUT, allow_unmatched: bool = _ALLOW, year: Optional[int] = _YEAR,
                     sheet: Optional[str] = typer.Option(None, help="XLSX sheet (default: the first)")) -> None:
    """A BPS dynamic-table export (CSV/XLSX; one year or many; the indicator read from the title)."""
    from ucj.ingest.bps import import_bps_table as run

    _finish_import(run(file, indicator=indicator, allow_unmatched=allow_unmatched, year=year, sheet=sheet), out)


@import_app.command("bps-webapi")
@friendly
def import_bps_webapi(file: Path, out: Path = _OUT, allow_unmatched: bool = _ALLOW) -> None:
    """A BPS WebAPI JSON response (datacontent keyed by region, variable and year)."""
    from ucj.ingest.bps import import_bps_webapi as run

    _finish_import(run(file, allow_unmatched=allow_unmatched), out)


@import_app.command("mapped")
@friendly
def import_mapped(file: Path, mapping: Path = typer.Option(..., help="JSON column mapping (see data/mappings)"),
                  out: Path = _OUT, allow_unmatched: bool = _ALLOW, year: Optional[int] = _YEAR) -> None:
    """Any long CSV/XLSX table, through a column mapping."""
    from ucj.ingest.mapped import Mapping
    from ucj.ingest.mapped import import_mapped as run

    _finish_import(run(file, Mapping.from_file(mapping), allow_unmatched=allow_unmatched, year=year), out)


@import_app.command("template")
@friendly
def import_template(file: Path, kind: str = typer.Option(
                        ..., help="enrolment, claims, contributions, workforce or targets"),
                    out: Path = _OUT, allow_unmatched: bool = _ALLOW, year: Optional[int] = _YEAR) -> None:
    """A filled-in project template (data/templates)."""
    from ucj.ingest.mapped import import_template as run

    _finish_import(run(file, kind, allow_unmatched=allow_unmatched, year=year), out)


@import_app.command("inspect")
@friendly
def import_inspect(file: Path, draft: Optional[Path] = typer.Option(
                       None, help="where to write the draft mapping (default: FILE's name + .mapping.json beside "
                                  "it; '-' for none)"),
                   sheet: Optional[str] = typer.Option(None, help="XLSX sheet (default: the first)")) -> None:
    """Show what a file looks like (layout, header, indicator, names matched) and draft a mapping for it."""
    from ucj.ingest.inspect import inspect_file

    report = inspect_file(file, sheet=sheet)
    typer.echo(report.render())
    if str(draft) != "-" and report.draft is not None:
        from ucj.core.files import write_json

        target = draft or file.with_name(file.stem + ".mapping.json")
        if draft is None and target.exists():
            raise UcjInputError.one("a draft mapping is already there; name another with --draft, or '-' for none",
                                    file=str(target))
        write_json(target, report.draft)
        typer.echo(f"wrote a draft mapping to {target}; check it, then: ucj import mapped {file.name} --mapping "
                   f"{target.name}")


_LANG = typer.Option("id", help="report language: id or en")
_REPORTS = typer.Option(REPORTS_DIR, help="folder for report runs")


@app.command()
@friendly
def report(
    district: str = typer.Option(..., help="district name or Kemendagri code"),
    lang: str = _LANG,
    last_period: str = typer.Option("", help="last month to report, YYYY-MM (default: latest in the data)"),
    denominator: str = typer.Option("", help="coverage denominator (default: the target's)"),
    target_pct: float = typer.Option(-1.0, help="coverage target in %% (default: the district's own)"),
    target_year: int = typer.Option(-1, help="target year (default: the district's own)"),
    data_dir: str = _DATA,
    out: Path = _REPORTS,
    run: str = typer.Option("", help="run name (default: date and time)"),
) -> None:
    """One district report: executed notebook, HTML, Excel, PNG figures and key_figures.json."""
    from ucj.report.params import validate_params
    from ucj.report.batch import run_district, run_name

    params = validate_params(district, last_period, denominator, target_pct, target_year, lang, data_dir)
    run_dir = out / (run or run_name())
    entry = run_district(params, run_dir)
    if entry["status"] != "ok":
        typer.echo(f"error: the report for {entry['district_name']} failed: {entry['error']}", err=True)
        raise typer.Exit(1)
    typer.echo(f"wrote {run_dir / str(entry['html'])}")


@app.command()
@friendly
def reports(
    province: Optional[str] = typer.Option(None, help="all districts of one province"),
    all_districts: bool = typer.Option(False, "--all", help="all 514 districts"),
    district: list[str] = typer.Option([], help="one or more districts (repeat the option)"),
    lang: str = _LANG,
    last_period: str = typer.Option("", help="last month to report, YYYY-MM"),
    data_dir: str = _DATA,
    out: Path = _REPORTS,
    run: str = typer.Option("", help="run name (default: date and time)"),
    workers: int = typer.Option(0, help="parallel reports (default: one per core)"),
) -> None:
    """Many district reports with a progress bar, and an index.html linking them."""
    from ucj.data.registry import load_registry
    from ucj.report.batch import districts_in, params_for, run_many, run_name

    if sum([province is not None, all_districts, bool(district)]) != 1:
        raise UcjInputError.one("say which reports: --province P, --all, or --district D (one of them)")
    registry = load_registry()
    codes = list(district) if district else districts_in(None if all_districts else province, registry)
    params = params_for(codes, registry, last_period=last_period, lang=lang, data_dir=data_dir)
    run_dir = out / (run or run_name())
    entries = run_many(params, run_dir, workers=workers or None)
    failed = [e for e in entries if e["status"] != "ok"]
    typer.echo(f"wrote {len(entries) - len(failed)} reports; index: {run_dir / 'index.html'}")
    for e in failed:
        typer.echo(f"  failed: {e['district_name']}: {e['error']}", err=True)
    if failed:
        raise typer.Exit(1)


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
