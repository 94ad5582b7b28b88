"""The `ucj` command: a thin face over the package. Bad input prints one line per problem and
exits 2; nothing prints a traceback unless -v asks for it. Every command takes -v / -q (ucj.core.logs)."""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
from pathlib import Path
from typing import Callable, Iterator, Optional, TypeVar


def _launch_kernel_first(argv: list[str]) -> None:
    """`ucj report --district D` launches its kernel's process before anything else is imported (typer, asyncio,
    jupyter_client: about 0.05 s), so the kernel, the slowest path of a cold report, boots that much sooner on the
    other core (ucj.runs.kernel_launch). Only the console command does, for a district report without --help;
    the command adopts the kernel once it has checked its options, and a kernel it does not adopt (a usage
    error, refused input) is stopped when it exits."""
    if os.path.basename(argv[0]).removesuffix(".exe") != "ucj" or argv[1:2] != ["report"]:
        return
    if "multiprocessing" in sys.modules and sys.modules["multiprocessing"].parent_process() is not None:
        return  # a worker process started by the command (it imports this module again)
    args = argv[2:]
    if any(a in ("--help", "-h") or a.startswith("--province") for a in args):
        return
    district = any(a == "--district" and i + 1 < len(args) and args[i + 1].strip() or
                   a.startswith("--district=") and a.partition("=")[2].strip() for i, a in enumerate(args))
    if district:
        from ucj.runs.kernel_launch import launch_early

        launch_early()


_launch_kernel_first(sys.argv)


def _start_worker_server_first(argv: list[str]) -> None:
    """`ucj reports` on local workers starts the fork server its workers are forked from (ucj.runs.engine.
    worker_context) before anything else is imported, so the server imports the notebook tools while the command
    imports typer and checks its options; `start_local_workers` then finds it running. Not for --help, a Dask
    cluster, one worker or one district (the report runs in the command's own process). A server no batch uses
    is stopped when the command ends (engine.drop_local_workers), or ends with it."""
    if os.path.basename(argv[0]).removesuffix(".exe") != "ucj" or argv[1:2] != ["reports"]:
        return
    mp = sys.modules.get("multiprocessing")
    if mp is not None and (mp.parent_process() is not None or getattr(mp.current_process(), "_inheriting", False)):
        return  # a worker process (it imports the command's main module again as it starts)
    args = argv[2:]
    if any(a in ("--help", "-h", "--workers=1") or a.startswith("--scheduler") for a in args) or \
            any(a == "--workers" and args[i + 1:i + 2] == ["1"] for i, a in enumerate(args)):
        return
    if not any(a.startswith(("--province", "--all")) for a in args) and \
            sum(a == "--district" or a.startswith("--district=") for a in args) < 2:
        return  # one district: one report, made in the command's own process
    from ucj.runs.engine import start_worker_server

    start_worker_server()


_start_worker_server_first(sys.argv)

import typer  # noqa: E402  (after the kernel's launch, above)
from typer._click import exceptions as click_errors  # typer vendors click (0.29): its usage errors are these  # noqa: E402
from typer.core import TyperGroup  # noqa: E402

from ucj.core import logs  # noqa: E402
from ucj.core.config import DEMO_DIR, PROCESSED_DIR, REPORTS_DIR  # noqa: E402
from ucj.core.errors import UcjInputError  # noqa: E402
from ucj.core.timeline import mark  # noqa: E402

mark("cli: imported")


class _Command(typer.Typer):
    """The `ucj` console command. Once a command has finished (its output written, its kernels stopped,
    the exit handlers run), the process ends at once, without the interpreter's teardown of every module
    and object (pandas, Arrow, the HTML exporter): about 0.5 s of every command, on the critical path of
    a cold `ucj report`. Only where no other thread is still working; tests that invoke `app` through
    typer's CliRunner never come here."""

    def __call__(self, *args: object, **kwargs: object) -> object:
        try:
            return super().__call__(*args, **kwargs)
        except SystemExit as done:
            _end_now(done)
            raise


def _end_now(done: SystemExit) -> None:
    """End the process with `done`'s status now, as a normal exit would, less the teardown (returns when
    a non-daemon thread still runs: then the normal exit joins it)."""
    import atexit
    import threading

    if not isinstance(done.code, (int, type(None))) or \
            any(th is not threading.main_thread() and not th.daemon for th in threading.enumerate()):
        return
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)  # logging's flush, temp folders' clean-up
    if run_exit_handlers is None:
        return
    run_exit_handlers()
    mark("cli: exit handlers run")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(done.code or 0)


class _PlainErrors(TyperGroup):
    """The `ucj` group: a usage error (an unknown option, a missing argument, a value of the wrong type) is one
    plain line on stderr and exit status 2, on every command; typer would draw a rich panel around it."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[no-untyped-def,override]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.NoArgsIsHelpError as err:
            err.show()  # `ucj` (or `ucj import`) alone: the help, as asked for
            sys.exit(err.exit_code)
        except click_errors.ClickException as err:
            typer.echo(usage_line(err), err=True)
            sys.exit(err.exit_code)
        except typer.Abort:  # typer 0.2x keeps Abort in typer.exceptions, not in its vendored click
            typer.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def usage_line(err: click_errors.ClickException) -> str:
    """One line for a usage error: the command, what is wrong, and where the options are listed."""
    ctx = getattr(err, "ctx", None)
    message = " ".join(err.format_message().split())
    if ctx is None:
        return f"error: {message}"
    return f"error: {ctx.command_path}: {message} (see {ctx.command_path} --help)"


app = _Command(help="UCJ research workbook: coverage, claims and poverty by district.",
               pretty_exceptions_enable=False, no_args_is_help=True, cls=_PlainErrors)
import_app = typer.Typer(help="Import planners' real files into validated tables (data/processed).",
                         no_args_is_help=True)
app.add_typer(import_app, name="import")
fetch_app = typer.Typer(help="Fetch fresh tables from a publisher's API and import them (data/raw, data/processed).",
                        no_args_is_help=True)
app.add_typer(fetch_app, name="fetch")
participants_app = typer.Typer(help="Candidate lists from the villages: check them before the budget is set.",
                               no_args_is_help=True)
app.add_typer(participants_app, name="participants")

F = TypeVar("F", bound=Callable[..., object])


def _show_version(value: bool) -> None:
    if value:
        from ucj import __version__

        typer.echo(f"ucj {__version__}")
        raise typer.Exit()


_VERBOSE = typer.Option(False, "--verbose", "-v", help="more detail in the log, and an unexpected error's traceback")
_QUIET = typer.Option(False, "--quiet", "-q", help="only warnings and errors, and no progress bar")


def _verbosity(verbose: bool, quiet: bool) -> None:
    """Set the log level from -v / -q (given before the command, after it, or both: the last one set wins)."""
    if verbose and quiet:
        raise UcjInputError.one("give -v or -q, not both")
    if verbose or quiet:
        logs.setup(logs.VERBOSE if verbose else logs.QUIET)


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_show_version, is_eager=True,
                                       help="print the ucj version and exit"),
          verbose: bool = _VERBOSE, quiet: bool = _QUIET) -> None:
    """UCJ research workbook: coverage, claims and poverty by district."""
    logs.setup(logs.NORMAL)
    try:
        _verbosity(verbose, quiet)
    except UcjInputError as err:
        typer.echo(f"error: {err.render()}", err=True)
        raise typer.Exit(2) from None


def _say(text: str) -> None:
    """What a command did ("wrote ...", an import's summary): on stdout, unless -q asks for errors only."""
    if not logs.quiet():
        typer.echo(text)


def error_lines(err: UcjInputError) -> list[str]:
    """Bad input as the user sees it: one problem is one line, `error: FILE, row R, column C: RULE`;
    several are a one-line count with one problem a line under it."""
    problems = err.render().splitlines()
    if len(err.problems) <= 1:
        return [f"error: {'; '.join(p.strip() for p in problems) or 'the input cannot be used'}"]
    return [f"error: {len(err.problems)} problems in the input:"] + [f"  {line}" for line in problems]


def friendly(func: F) -> F:
    """Turn UcjInputError (and any unexpected error) into readable lines and an exit code; and give the
    command the -v / -q options (added to its signature, which typer reads)."""

    @functools.wraps(func)
    def wrapper(*args: object, **kwargs: object) -> object:
        try:
            _verbosity(bool(kwargs.pop("verbose", False)), bool(kwargs.pop("quiet", False)))
            from ucj import __version__

            logs.command_started(func.__name__, __version__)
            return func(*args, **kwargs)
        except UcjInputError as err:
            for line in error_lines(err):
                typer.echo(line, err=True)
            raise typer.Exit(2) from None
        except (typer.Exit, KeyboardInterrupt):
            raise
        except Exception as err:  # noqa: BLE001 - the user gets a line, -v adds the traceback
            if logs.verbose():
                import traceback

                traceback.print_exc(file=sys.stderr)
            typer.echo(f"error: {type(err).__name__}: {err}" + ("" if logs.verbose() else " (-v for details)"),
                       err=True)
            raise typer.Exit(1) from None

    sig = inspect.signature(func)
    extra = [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=o, annotation=bool)
             for n, o in (("verbose", _VERBOSE), ("quiet", _QUIET))]
    wrapper.__signature__ = sig.replace(parameters=[*sig.parameters.values(), *extra])  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


_DATA = typer.Option("", "--data-dir", help="data folder(s), separated by ';'; later folders win "
                                         "(default: $UCJ_DATA_DIR, else data/demo here or in a folder above)")


@app.command()
@friendly
def demo(out: Path = typer.Option(DEMO_DIR, help="folder to write the demo tables to"),
         seed: int = typer.Option(20251209, help="random seed; the same seed gives byte-identical files"),
         replace: bool = typer.Option(False, "--replace", help="write into a folder that holds other data (imported "
                                                               "tables, other files), deleting it")) -> None:
    """Build the synthetic demo dataset (all 514 districts, 2019-2025). The folder then holds exactly the demo;
    a folder with other data in it is refused unless --replace is given."""
    from ucj.ingest import demo as demo_mod

    with _disk_errors(out):
        manifest = demo_mod.write(out, seed, replace=replace)
    tables = manifest["tables"]
    assert isinstance(tables, dict)
    _say(f"wrote synthetic demo data to {out}: " + ", ".join(f"{k} ({v['rows']:,} rows)" for k, v in tables.items()))


@app.command()
@friendly
def summary(data_dir: str = _DATA,
            lang: str = typer.Option("id", help="language of the summary: id or en")) -> None:
    """Load, validate and summarise a dataset."""
    import ucj
    from ucj.core.config import split_dirs
    from ucj.presentation.i18n import check_lang
    from ucj.runs.summary import render

    lang_ok = check_lang(lang)
    typer.echo(render(ucj.load(*split_dirs(data_dir)), lang_ok))


@app.command()
@friendly
def district(query: str, province: Optional[str] = typer.Option(None, help="limit to one province")) -> None:
    """Resolve a district name or code the way imports and reports do. A code is Kemendagri's with its dot
    (75.02) or BPS's with bps: (bps:7501); four digits alone are refused where the two numberings differ."""
    from ucj.data.registry import load_registry

    registry = load_registry()
    _province_code_said(province, registry)
    d = registry.district(query, province=province)
    typer.echo(f"{d.code}  {d.full_name}, {d.province_name}")


def _province_code_said(province: Optional[str], registry: object = None) -> None:
    """--province as two bare digits that are one province in Kemendagri numbering and another in BPS
    numbering (the Papua provinces): one line naming both readings, exit 2, before anything starts."""
    if not province or not province.strip():
        return
    from ucj.data.registry import Registry, load_registry

    reg = registry if isinstance(registry, Registry) else load_registry()
    conflict = reg.province_numbering_conflict(province)
    if conflict:
        raise UcjInputError.one(conflict, column="--province", value=province.strip(), label="option")


@app.command()
@friendly
def schema() -> None:
    """Print the data dictionary (the schemas of every table)."""
    from ucj.data.schema import describe

    typer.echo(describe())


@app.command()
@friendly
def templates(out: Path = typer.Option(Path("data/templates"), help="folder for the empty templates")) -> None:
    """Write the templates a planner fills in (enrolment, claims, contributions, workforce, targets,
    village_enrolment), as CSV and XLSX, each with a worked example."""
    from ucj.ingest.mapped import write_templates

    _a_folder(out, "--out")
    with _disk_errors(out):
        written = write_templates(out)
    for p in written:
        _say(f"wrote {p}")


def _a_folder(path: Path, option: str) -> None:
    """Refuse an option naming a file where a folder is wanted (one line, exit 2)."""
    if path.exists() and not path.is_dir():
        raise UcjInputError.one("names a file; it must be a folder", column=option, value=str(path), label="option")


@contextlib.contextmanager
def _disk_errors(where: Path) -> Iterator[None]:
    """A write the system refused (a full disk, no permission, a file in the way): one line naming the
    folder and the reason, exit status 2; the writers are atomic, so nothing half-written stays."""
    try:
        yield
    except OSError as err:
        from ucj.runs.batch import os_reason

        raise UcjInputError.one(os_reason(err, where)) from None


def _finish_import(result: object, out: Path) -> None:
    from ucj.ingest.common import ImportResult, write_processed

    assert isinstance(result, ImportResult)
    with _disk_errors(out):
        target = write_processed(result, out)
    _say(result.summary())
    _say(f"wrote {target} (manifest: {out / 'manifest.json'})")


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
                     sheet: Optional[str] = typer.Option(None, help="workbook sheet (default: the first visible one)")) -> None:
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

    _finish_import(run(file, Mapping.from_file(mapping, year=year), allow_unmatched=allow_unmatched, year=year), out)


@import_app.command("template")
@friendly
def import_template(file: Path, kind: str = typer.Option(
                        ..., help="enrolment, claims, contributions, workforce, targets or village_enrolment"),
                    out: Path = _OUT, allow_unmatched: bool = _ALLOW, year: Optional[int] = _YEAR) -> None:
    """A filled-in project template (data/templates)."""
    from ucj.ingest.mapped import import_template as run

    _finish_import(run(file, kind, allow_unmatched=allow_unmatched, year=year), out)


@import_app.command("inspect")
@friendly
def import_inspect(file: Path, draft: Optional[Path] = typer.Option(
                       None, help="where to write the draft mapping (default: FILE's name + .mapping.json in the "
                                  "current folder; '-' for none; never the inspected file)"),
                   sheet: Optional[str] = typer.Option(None, help="workbook sheet (default: the first visible one)")) -> None:
    """Show what a file looks like (layout, header, indicator, names matched) and draft a mapping for it."""
    from ucj.ingest.inspect import inspect_file

    target = _draft_target(file, draft)
    report = inspect_file(file, sheet=sheet)
    _say(report.render())
    if target is not None and report.draft is not None:
        from ucj.core.files import write_json

        if draft is None and target.exists():
            raise UcjInputError.one("a draft mapping is already there; name another with --draft, or '-' for none",
                                    file=str(target))
        with _disk_errors(target.parent):
            write_json(target, report.draft)
        _say(f"wrote a draft mapping to {target}; check it, then: ucj import mapped {file} --mapping "
                   f"{target}")


def _draft_target(file: Path, draft: Optional[Path]) -> Optional[Path]:
    """Where `import inspect` writes its draft: --draft, else FILE's name + .mapping.json in the current folder
    (never beside the raw file). Refused: a folder, and any path that is (or resolves to) the input file,
    which is only ever read. None for '-'."""
    if str(draft) == "-":
        return None
    target = draft if draft is not None else Path(file.stem + ".mapping.json")
    if target.is_dir():
        raise UcjInputError.one("names a folder; give the file to write the draft mapping to", column="--draft",
                                value=str(target), label="option")
    same = target.resolve() == file.resolve()
    if not same and target.exists() and file.exists():
        try:
            same = os.path.samefile(target, file)  # a hard link to the input
        except OSError:
            pass
    if same:
        raise UcjInputError.one("is the file being inspected; raw files are only read, so name another file for "
                                "the draft", column="--draft", value=str(target), label="option")
    if draft is not None and target.exists() and not _is_mapping(target):
        # only an earlier draft is replaced: any other file (a raw CSV beside it) is only ever read
        raise UcjInputError.one("is an existing file that is not a mapping; name a new file for the draft",
                                column="--draft", value=str(target), label="option")
    return target


def _is_mapping(path: Path) -> bool:
    """Whether `path` holds a mapping (a JSON object naming a table), i.e. an earlier draft."""
    import json

    try:
        spec = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(spec, dict) and "table" in spec


@fetch_app.command("bps")
@friendly
def fetch_bps(indicator: list[str] = typer.Option([], "--indicator", "-i", metavar="NAME", help="p0, p1, p2, poor_population, "
                                                  "poverty_line, or all (repeat for several)"),
              var: list[int] = typer.Option([], "--var", metavar="ID", help="any BPS WebAPI variable id of a kab/kota table "
                                            "(domain 0000; repeat for several)"),
              year: list[str] = typer.Option([], "--year", metavar="YEARS", help="a year (2025) or a range (2021-2025); repeat"),
              out: Path = _OUT,
              raw_dir: Optional[Path] = typer.Option(None, help="where the answers are kept as raw files "
                                                     "(default: data/raw/bps_webapi)"),
              allow_unmatched: bool = _ALLOW) -> None:
    """Fetch BPS WebAPI tables by kab/kota for the years asked, keep each answer as a raw file (URL without the
    key, time, sha256) and import them all in one transaction. The key comes from $UCJ_BPS_KEY or the key file
    (docs/fetch.md), never from the command line."""
    from ucj.ingest.fetch_bps import FetchError, parse_years
    from ucj.ingest.fetch_bps import fetch_bps as run

    try:
        done = run(indicator, var, parse_years(year), out=out, raw_dir=raw_dir, allow_unmatched=allow_unmatched,
                   say=lambda line: None if logs.quiet() else typer.echo(line, err=True))
    except FetchError as err:
        typer.echo(f"error: {err}", err=True)
        raise typer.Exit(2) from None
    for result in done.results:
        _say(result.summary())
    _say(f"imported {len(done.results)} BPS answers into {out} in one transaction (manifest: "
               f"{out / 'manifest.json'})")


_LANG = typer.Option("id", help="report language: id or en")
_REPORTS = typer.Option(REPORTS_DIR, help="folder for report runs")
_RUN = typer.Option("", help="run name, a folder inside --out (default: date and time); "
                             "rerunning the same name resumes it")


def _run_dir(out: Path, run: str) -> Path:
    """The run folder, refused when --out is a file or --run breaks the run-name rule (ucj.runs.batch)."""
    from ucj.runs.batch import check_run_name, run_name

    if out.exists() and not out.is_dir():
        raise UcjInputError.one("--out must be a folder, not a file", file=str(out))
    target = out / check_run_name(run or run_name())
    if target.exists() and not target.is_dir():
        raise UcjInputError.one("the run folder is a file", file=str(target))
    return target


@contextlib.contextmanager
def _run_busy() -> Iterator[None]:
    """A run folder held by another batch: one line naming that process, exit status 2."""
    from ucj.runs.batch import RunBusy

    try:
        yield
    except RunBusy as err:
        typer.echo(f"error: {err.render()}", err=True)
        raise typer.Exit(2) from None


def _log_line(line: str) -> None:
    """A line the batch or verify says as it goes, into the log ("warning: ..." as a warning)."""
    import logging

    log = logging.getLogger(logs.LOGGER)
    if line.startswith("warning: "):
        log.warning(line.removeprefix("warning: "))
    else:
        log.info(line)


_PDF = typer.Option(False, "--pdf", help="also print each report to report.pdf beside its report.html (A4; "
                                         "see docs/print.md)")
_BOUNDARIES = typer.Option(None, "--boundaries", help="a TopoJSON file of district boundaries: the province or "
                                                    "national overview draws a coverage map from it")
STAGES = {"kernel": "starting the kernel", "data": "loading and checking the data", "compute": "computing",
          "export": "exporting the page", "pdf": "printing the PDF"}


def _pdf_ready(pdf: bool) -> None:
    """With --pdf: one line naming what is missing when this machine cannot print (before any kernel starts)."""
    if pdf:
        from ucj.presentation.printing import engine_problem

        problem = engine_problem()
        if problem:
            typer.echo(f"error: {problem}", err=True)
            raise typer.Exit(1)


def _show_stages() -> None:
    """Say each step of the report on stderr as it starts, with the seconds since the command began, when
    stderr is a terminal (and not -q); nothing otherwise, so scripts and logs stay quiet."""
    import time

    from ucj.runs import engine

    started = time.perf_counter()

    def say(name: str) -> None:
        typer.echo(f"[{time.perf_counter() - started:5.1f} s] {STAGES.get(name, name)}", err=True)

    engine.on_stage(None if logs.quiet() or not sys.stderr.isatty() else say)


def _finish_batch(entries: list[dict[str, object]], run_dir: Path) -> None:
    failed = [e for e in entries if e.get("status") != "ok"]
    for e in failed:
        cell = f" (cell {e['cell']})" if e.get("cell") else ""
        typer.echo(f"  failed: {e.get('district_name')}{cell}: {e.get('error')}", err=True)
    if getattr(entries, "index_error", None):
        raise typer.Exit(1)  # already said in one line by the batch
    _say(f"index: {run_dir / 'index.html'}")
    if failed:
        raise typer.Exit(1)


@app.command()
@friendly
def report(
    district: str = typer.Option("", help="district name or code: 75.02 (Kemendagri) or bps:7501 (BPS)"),
    province: str = typer.Option("", help="a province's overview instead of a district report: its name or code "
                                               "(kemendagri:94 or bps:94 where the two numberings differ)"),
    lang: str = _LANG,
    last_period: str = typer.Option("", help="last month to report, YYYY-MM (default: latest in the data)"),
    denominator: str = typer.Option("", help="coverage denominator (default: the target's)"),
    target_pct: float = typer.Option(-1.0, help="coverage target in % (default: the district's own)"),
    target_year: int = typer.Option(-1, help="target year (default: the district's own)"),
    data_dir: str = _DATA,
    out: Path = _REPORTS,
    run: str = _RUN,
    force: bool = typer.Option(False, "--force", help="make the report again even if it is up to date"),
    pdf: bool = _PDF,
    boundaries: Optional[Path] = _BOUNDARIES,
) -> None:
    """One district report, or with --province a province overview: executed notebook, HTML, Excel, PNG
    figures and key_figures.json (and with --pdf, report.pdf). On a terminal it says each step as it starts."""
    from ucj.runs import engine

    if bool(district.strip()) == bool(province.strip()):
        raise UcjInputError.one("say which report: --district D or --province P (one of them)")
    _province_code_said(province)
    if province.strip():
        run_dir = _run_dir(out, run)
        _pdf_ready(pdf)
        if target_pct != -1.0 or target_year != -1:
            raise UcjInputError.one("a province overview has no --target-pct or --target-year (it uses the target "
                                    "its districts share)")
        _show_stages()
        try:
            _overviews([province], False, lang, data_dir, run_dir, force, last_period, denominator,
                       str(boundaries or ""), pdf)
        finally:
            engine.on_stage(None)
        return
    if boundaries is not None:
        raise UcjInputError.one("a district report draws no map; --boundaries goes with --province (or with "
                                "`ucj reports`, for its overviews)")
    # The kernel is launched first (a few ms, before anything is imported) and boots on the other core
    # while this process imports, checks the parameters and plans the run; refused input stops it
    # (finally, below) before any cell runs.
    _show_stages()
    engine.stage("kernel")
    engine.prestart(launched=True, one_report=True)
    try:
        run_dir = _run_dir(out, run)
        _pdf_ready(pdf)
        from ucj.runs.batch import plan, run_many
        from ucj.runs.params import validate_params

        params = validate_params(district, last_period, denominator, target_pct, target_year, lang, data_dir)
        mark("cli: parameters checked")
        # the kernel runs the notebook's setup cells (data and all-district tables), then the report's cells, as
        # soon as it has booted and this process has loaded the tools to run them; the exporter is built and
        # the run's index written meanwhile, and the batch below takes the report (nothing is written before)
        engine.prewarm(plan([params], run_dir, pdf)[0])
        engine.load_tools()
        _warm_tail()
        with _run_busy():
            entry = run_many([params], run_dir, workers=1, progress=False, force=force, echo=lambda line: None,
                             pdf=pdf)[0]
    finally:
        engine.close_kernels()
        engine.on_stage(None)
        mark("cli: kernel stopped")
    if entry["status"] != "ok":
        cell = f" (cell {entry['cell']})" if entry.get("cell") else ""
        typer.echo(f"error: the report for {entry['district_name']} failed{cell}: {entry['error']}", err=True)
        raise typer.Exit(1)
    _say(f"{'up to date' if entry.get('skipped') else 'wrote'} {run_dir / str(entry['html'])}")
    if entry.get("pdf"):
        _say(f"{'up to date' if entry.get('skipped') else 'wrote'} {run_dir / str(entry['pdf'])}")


def _warm_tail() -> None:
    """Import, in a thread of its own, what the command needs once its report's cells have run (the run's
    summary.xlsx is written with XlsxWriter): the command otherwise waits for its kernel then, and these imports
    came after the kernel's last cell, on the report's path. Importing changes no file."""
    import threading

    def imports() -> None:
        try:
            import xlsxwriter  # noqa: F401

            import ucj.presentation.xlsx  # noqa: F401
        except Exception:  # noqa: BLE001 - a warm-up only: the summary imports them itself (and says why not)
            pass

    threading.Thread(target=imports, name="ucj-warm-tail", daemon=True).start()


def _overviews(provinces: list[str], national: bool, lang: str, data_dir: str, run_dir: Path, force: bool,
               last_period: str = "", denominator: str = "", boundaries: str = "", pdf: bool = False) -> None:
    """Make the overviews of these provinces (and of the nation) into the run; one line each; exit 1 if one failed."""
    from ucj.data.registry import load_registry
    from ucj.runs.batch import overview_params, run_overviews

    registry = load_registry()
    wanted = [overview_params(p, registry, lang, data_dir, last_period, denominator, boundaries) for p in provinces]
    if national:
        wanted.append(overview_params(None, registry, lang, data_dir, last_period, denominator, boundaries))
    with _run_busy():
        entries = run_overviews(wanted, run_dir, force=force, pdf=pdf)
    failed = False
    for e in entries:
        if e.get("status") != "ok":
            failed = True
            cell = f" (cell {e['cell']})" if e.get("cell") else ""
            typer.echo(f"error: the overview {e.get('district_name')} failed{cell}: {e.get('error')}", err=True)
        else:
            for made in ("html", "pdf"):
                if e.get(made):
                    _say(f"{'up to date' if e.get('skipped') else 'wrote'} {run_dir / str(e[made])}")
    if failed:
        raise typer.Exit(1)


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
    run: str = _RUN,
    workers: Optional[int] = typer.Option(None, help="worker processes, each with one warm kernel (default: one per core)"),
    scheduler: str = typer.Option("", help="run on a Dask cluster instead, e.g. tcp://10.0.0.5:8786"),
    force: bool = typer.Option(False, "--force", help="make every report again, even those up to date"),
    max_failures: int = typer.Option(0, help="stop the batch after this many failed reports (0: never)"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show the progress bar"),
    overviews: bool = typer.Option(True, "--overviews/--no-overviews",
                                   help="with --province, also that province's overview; with --all, the national one"),
    national: bool = typer.Option(False, "--national", help="also write the national overview (as --all does)"),
    pdf: bool = _PDF,
    boundaries: Optional[Path] = _BOUNDARIES,
) -> None:
    """Many district reports with a progress bar, and an index.html linking them (and the province or
    national overview). Rerunning the same --run resumes it: reports whose inputs and files are
    unchanged are skipped."""
    if sum([province is not None, all_districts, bool(district)]) != 1:
        raise UcjInputError.one("say which reports: --province P, --all, or --district D (one of them)")
    if workers is not None and workers < 1:
        raise UcjInputError.one("must be a whole number of at least 1 (leave it out for one per core)",
                                column="--workers", value=workers, label="option")
    if max_failures < 0:
        raise UcjInputError.one("must be 0 (never stop) or more", column="--max-failures", value=max_failures,
                                label="option")
    if scheduler and workers:
        raise UcjInputError.one("give --workers or --scheduler, not both (a Dask cluster has its own workers)")
    if scheduler and not scheduler.startswith(("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")):
        raise UcjInputError.one("a Dask scheduler address looks like tcp://HOST:PORT", column="--scheduler",
                                value=scheduler, label="option")
    from ucj.runs import engine

    count = min(len(set(district)) if district else 514, workers or os.cpu_count() or 1)
    try:
        if not scheduler and count > 1:  # the workers start while the command imports, checks and plans
            engine.start_local_workers(count)
        _province_code_said(province)
        run_dir = _run_dir(out, run)
        _pdf_ready(pdf)
        from ucj.data.registry import load_registry

        _reports(district, province, all_districts, lang, last_period, data_dir, run_dir, workers, progress, force,
                 max_failures, scheduler, pdf, overviews, national, boundaries, registry=load_registry())
    finally:
        engine.drop_local_workers()


def _reports(district: list[str], province: Optional[str], all_districts: bool, lang: str, last_period: str,
             data_dir: str, run_dir: Path, workers: Optional[int], progress: bool, force: bool, max_failures: int,
             scheduler: str, pdf: bool, overviews: bool, national: bool, boundaries: Optional[Path],
             registry: object) -> None:
    """`ucj reports` once its options are checked and its run folder named."""
    from ucj.runs.batch import districts_in, params_for, run_many

    codes = list(district) if district else districts_in(None if all_districts else province, registry)
    params = params_for(codes, registry, last_period=last_period, lang=lang, data_dir=data_dir)
    mark("cli: parameters checked")
    areas = [province] if province is not None and overviews else []
    with_national = national or (all_districts and overviews)
    if boundaries is not None and not (areas or with_national):
        raise UcjInputError.one("--boundaries draws the map of an overview: give it with --province P or --all "
                                "(or --national)")
    if areas or with_national:  # checked before any kernel starts, like the districts
        from ucj.runs.batch import overview_params

        for a in areas:
            overview_params(a, registry, lang, data_dir, last_period, boundaries=str(boundaries or ""))
        if with_national and boundaries is not None:
            overview_params(None, registry, lang, data_dir, last_period, boundaries=str(boundaries))
    from ucj.runs import engine

    if (areas or with_national) and not scheduler and (workers or os.cpu_count() or 1) > 1:
        engine.prestart()  # the overviews' kernel starts and imports while the workers make the districts
    try:
        with _run_busy():
            entries = run_many(params, run_dir, workers=workers, progress=progress and not logs.quiet(),
                               scheduler=scheduler or None, force=force, max_failures=max_failures or None,
                               echo=_log_line, pdf=pdf)
        if areas or with_national:
            try:
                _overviews(areas, with_national, lang, data_dir, run_dir, force, last_period,
                           boundaries=str(boundaries or ""), pdf=pdf)
            except typer.Exit:
                _finish_batch(entries, run_dir)
                raise
    finally:
        engine.close_kernels()
    _finish_batch(entries, run_dir)


@app.command()
@friendly
def verify(
    target: Path = typer.Argument(..., help="a run folder (reports/NAME) or one executed report.ipynb"),
    district: list[str] = typer.Option([], help="verify only these districts (repeat the option)"),
    sample: Optional[int] = typer.Option(None, help="verify a random sample of this many reports"),
    data_dir: str = typer.Option("", "--data-dir", help="the data to verify against (default: the folders the "
                                                       "run recorded, relative to it, else the default data folder)"),
    workers: Optional[int] = typer.Option(None, help="worker processes (default: one per core, at most one per report)"),
    progress: bool = typer.Option(True, "--progress/--no-progress", help="show the progress bar"),
    lang: str = typer.Option("id", help="language of what is printed and of verify.html: id or en"),
) -> None:
    """Re-execute a run's reports and check every key figure and table against the record. Writes
    verify.json and verify.html beside it; exit 0 if all reproduce, 1 if some differ, 2 if the data differs."""
    from ucj.presentation.i18n import check_lang
    from ucj.runs.verify import cli_lines, done_line, verify as run_verify

    lang_ok = check_lang(lang)
    result = run_verify(target, district, sample, data_dir, workers=workers, progress=progress and not logs.quiet(),
                        echo=_log_line, lang=lang_ok)
    for line, always in cli_lines(result, lang_ok):
        (typer.echo if always else _say)(line)
    where = target.parent if target.is_file() else target
    _say(done_line(result, where / "verify.html", lang_ok))
    if not result.ok:
        raise typer.Exit(1)


@app.command()
@friendly
def explore(data_dir: str = _DATA,
            lang: str = typer.Option("id", help="labels and numbers: id or en (the page has a toggle too)"),
            port: int = typer.Option(8866, help="port to listen on"),
            host: str = typer.Option("127.0.0.1", help="address to listen on (127.0.0.1: this machine only)"),
            district: str = typer.Option("Boalemo", help="the district shown first"),
            max_kernels: int = typer.Option(4, min=1, max=64, help="pages open at once (each runs a kernel)"),
            idle_timeout: int = typer.Option(600, min=5, help="seconds before an unused page's kernel stops"),
            log: Optional[Path] = typer.Option(None, help="write the server's log to this file (the token masked), "
                                                          "to find out why a page does not open")) -> None:
    """Serve the explorer notebook as an app without code (Voila); Ctrl-C stops it.

    The address it prints carries a token: a page opens only with it."""
    import secrets
    import signal
    import subprocess

    from ucj.core.config import notebook, split_dirs
    from ucj.presentation.explore_env import DISTRICT_ENV, LANG_ENV
    from ucj.presentation.i18n import check_lang
    from ucj.runs.explore_server import MAX_KERNELS_ENV, TOKEN_ENV, wait_until_answering

    check_lang(lang)
    _check_listen(host, port)  # the address first: it needs no data, and a wrong one is the likelier mistake
    for d in split_dirs(data_dir):  # before any server starts: the page would only say it cannot read them
        if not Path(d).is_dir():
            raise UcjInputError.one("data folder not found (run `ucj demo` to build the demo data)", file=str(d))
    from ucj.data.registry import load_registry

    load_registry().resolve(district)  # an unknown district: one line now, not a page that cannot open
    if log is not None and not log.parent.is_dir():
        raise UcjInputError.one("the log file's folder does not exist", file=str(log), column="log", label="option")
    if not _loopback(host):
        typer.echo(f"warning: --host {host} lets other machines reach the explorer (with the token in the "
                   "address); use 127.0.0.1 to keep it on this machine", err=True)
    token = secrets.token_urlsafe(24)
    dirs = ";".join(str(Path(d).resolve()) for d in split_dirs(data_dir))
    env = dict(os.environ, UCJ_DATA_DIR=dirs, **{LANG_ENV: lang, DISTRICT_ENV: district, TOKEN_ENV: token,
                                                 MAX_KERNELS_ENV: str(max_kernels)})
    cmd = [sys.executable, "-m", "ucj.runs.explore_server", str(os.getpid()), str(idle_timeout),
           str(notebook("explore")), "--no-browser", f"--port={port}", f"--Voila.ip={host}",
           "--strip_sources=True", "--show_tracebacks=False", "--Voila.port_retries=0"]

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    # Ctrl-C, a plain kill and a closed terminal (SIGHUP) reach this command, which then stops the server; the
    # server runs in its own session (no prompt, no traceback) and dies with this process even on kill -9
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)
    server = subprocess.Popen(cmd, env=env, start_new_session=True,
                              stderr=subprocess.DEVNULL if log is None else subprocess.PIPE)
    if log is not None:
        from ucj.runs.explore_server import copy_log

        copy_log(server.stderr, log, token)  # type: ignore[arg-type]
    try:
        if wait_until_answering(_probe_host(host), port, server):  # the address once the server answers
            shown = f"[{host}]" if ":" in host else host
            typer.echo(f"ucj explore: open http://{shown}:{port}/?token={token} in a browser (data: "
                       f"{data_dir or 'default'}, language: {lang}); Ctrl-C stops it")
        code = server.wait()
    except KeyboardInterrupt:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        _say("ucj explore: stopped")
        return
    if code != 0:
        typer.echo(f"error: the explorer server stopped (exit status {code})", err=True)
        raise typer.Exit(1)


def _loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _probe_host(host: str) -> str:
    return {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)


def _check_listen(host: str, port: int) -> None:
    """One line, before anything starts, when the address is not this machine's or the port is taken."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise UcjInputError.one(f"cannot resolve the address {host!r}", column="host", label="option") from None
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(address)
        except OSError as err:
            if err.errno == errno.EADDRNOTAVAIL:
                raise UcjInputError.one(f"{host} is not an address of this machine; use 127.0.0.1 (this machine "
                                        "only) or one of its own addresses", column="host", label="option") from None
            if err.errno == errno.EADDRINUSE:
                raise UcjInputError.one(f"port {port} is in use on {host}; choose another with --port",
                                        column="port", label="option") from None
            raise UcjInputError.one(f"cannot listen on {host}:{port}: {err.strerror}", column="host",
                                    label="option") from None


@participants_app.command("check")
@friendly
def participants_check(
    files: list[Path] = typer.Argument(..., help="candidate lists (CSV or XLSX), one or more"),
    district: str = typer.Option(..., help="the district the lists are for (name or code)"),
    previous: list[Path] = typer.Option([], help="workers already funded: an earlier run folder or list; repeatable"),
    quota: Optional[int] = typer.Option(None, min=0, help="candidates each desa should register (default: the "
                                        "district's published quota; required where none is published)"),
    start: str = typer.Option("", help="start month YYYY-MM (default: next month); a row's own 'Mulai' wins"),
    months: int = typer.Option(12, min=1, max=120, help="months of contributions to budget"),
    lang: str = typer.Option("id", help="language of the summary and reasons: id or en"),
    data_dir: str = _DATA,
    out: Path = _REPORTS,
    run: str = typer.Option("", help="run name, a folder inside --out (default: participants-<district>)"),
    force: bool = typer.Option(False, "--force", help="replace an existing run folder of the same name"),
) -> None:
    """Check candidate lists: NIK, age, village, duplicates and earlier lists; write the accepted and rejected
    lists (personal data, mode 0600) and a summary with every village against its quota and the budget."""
    import pandas as pd

    from ucj.analysis.participants import parse_month
    from ucj.core.config import split_dirs
    from ucj.data.registry import load_registry
    from ucj.presentation.i18n import check_lang
    from ucj.presentation import participants as view_participants
    from ucj.runs import participants as runs_participants

    lang_ok = check_lang(lang)
    d = load_registry().district(district)
    if start:
        first = parse_month(start)
        if first is None:
            raise UcjInputError.one("the start month must be YYYY-MM", column="start", label="option", value=start)
    else:
        first = (pd.Timestamp.now().to_period("M") + 1).to_timestamp()
    run_dir = _run_dir(out, run or f"participants-{d.slug}")
    try:
        result, budget = runs_participants.check(files, d, start=first, quota=quota, months=months,
                                                 previous=previous, data_dirs=split_dirs(data_dir), lang=lang_ok,
                                                 data_named=bool(data_dir))
        runs_participants.write_run(result, budget, d, run_dir, lang_ok, force=force, inputs=files)
    except (UcjInputError, OSError):
        raise
    except Exception as err:  # noqa: BLE001 - its text could quote a cell of a list that holds personal data
        typer.echo(f"error: the check stopped unexpectedly ({type(err).__name__}); its message is not shown "
                   "because it may quote personal data; nothing was written", err=True)
        raise typer.Exit(1) from None
    c = result.counts
    _say(f"{d.full_name}: {c['rows']:,} rows: {c['accepted']:,} accepted, {c['already_funded']:,} already funded, "
               f"{c['rejected']:,} rejected, {c['possible_duplicates']:,} possible duplicates to review; "
               f"{c['villages_below_quota']:,} of {c['villages']:,} villages below the quota of {result.quota}")
    _say(f"quota: {result.quota} a desa, " + (f"published: {view_participants.quota_source(result, 'en')}"
                                               if result.published_quota is not None else "given with --quota"))
    _say(f"summary: {run_dir / 'summary.html'} (no personal data); "
               f"lists: {run_dir / runs_participants.PERSONAL_DIR}/ (personal data, readable by you only)")


@participants_app.command("template")
@friendly
def participants_template(out: Path = typer.Option(Path("."), help="folder for the template files")) -> None:
    """Write the candidate-list template a village head fills in (CSV and XLSX, with a worked example)."""
    from ucj.ingest.participants import write_template

    for p in write_template(out):
        _say(f"wrote {p}")


def main() -> None:  # pragma: no cover - console entry
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
