"""`ucj verify`: re-execute a run's reports and check every key figure and table against the record.

A run folder (or a single executed report.ipynb) records each report's parameters, the sha256 of the
data tables it read and its key figures. Verification

1. checks the data given has the recorded sha256, and stops before any kernel starts if not, naming
   each table that differs and how to get the right data;
2. lists differences of environment (ucj, git commit, Python, locked libraries, platform) as warnings;
3. re-executes the chosen reports with the batch engine into a temporary folder and compares every key
   figure (key_figures.json) and every table (tables.xlsx): integers exactly, floats to 1e-9 relative,
   text exactly; generation timestamps, data paths, library versions and timings are not figures;
4. writes verify.json and verify.html beside what it checked.

A single notebook carries its parameters in papermill's metadata and its key figures in
`metadata.ucj.key_figures` (written by the batch); a key_figures.json beside it is used when the
notebook has none (runs made before that).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import math
import random
import re
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ucj.core.errors import Problem, UcjInputError
from ucj.core.files import sha256_file, write_json, write_text
from ucj.presentation.i18n import Lang, fmt_exact, fmt_int, t, tf
from ucj.runs.bundle import environment

REL_TOL = 1e-9
VERIFY_JSON = "verify.json"
VERIFY_HTML = "verify.html"
KEY_FIGURES = "key_figures.json"
TABLES_XLSX = "tables.xlsx"
# not figures: when and where a report was made, and with which library versions (compared as environment)
IGNORED = ("provenance.generated_at", "provenance.parameters.data_dirs", "provenance.versions",
           "provenance.stamp")  # when and with which code a report was made: the environment, not a figure


class DataMismatch(UcjInputError):
    """The data given is not the data the run read."""


# -- what verification says ---------------------------------------------------------------------
class Note(str):
    """One finding as a catalogue key (`verify.note.<code>`) with its parameters. As a str it is the English
    sentence (what verify.json records); `text(lang)` is the reader's language. A Note made of `parts` is
    those findings joined by "; "."""

    code: str
    params: dict[str, object]
    parts: tuple["Note", ...]

    def __new__(cls, code: str, parts: tuple["Note", ...] = (), **params: object) -> "Note":
        note = super().__new__(cls, _note_text(code, params, parts, "en"))
        note.code, note.params, note.parts = code, params, tuple(parts)
        return note

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (_note, (self.code, self.parts, self.params))

    def text(self, lang: Lang = "en") -> str:
        return _note_text(self.code, self.params, self.parts, lang)

    @classmethod
    def joined(cls, notes: list["Note"]) -> "Note":
        return notes[0] if len(notes) == 1 else cls("", tuple(notes))


def _note(code: str, parts: tuple[Note, ...], params: dict[str, object]) -> Note:
    return Note(code, parts, **params)


def shown(value: object, lang: Lang) -> str:
    """A value in a finding: a Note in `lang`, a number with all its digits (babel), None as "none", other
    values as Python writes them (text quoted)."""
    if isinstance(value, Note):
        return value.text(lang)
    if value is None:
        return t("verify.none", lang)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt_exact(value, lang)
    return repr(value)


def _note_text(code: str, params: dict[str, object], parts: tuple[Note, ...], lang: Lang) -> str:
    if not code:
        return "; ".join(p.text(lang) for p in parts)
    return tf(f"verify.note.{code}", lang, **{k: v if isinstance(v, str) and not isinstance(v, Note) else shown(v, lang)
                                              for k, v in params.items()})


# -- comparing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Difference:
    """One figure that did not reproduce: where it is, the recorded and the new value, and by how much."""

    figure: str
    recorded: object
    new: object
    difference: object = None

    def line(self, lang: Lang = "en") -> str:
        values = dict(figure=self.figure, recorded=shown(self.recorded, lang), new=shown(self.new, lang))
        if self.difference is None:
            return tf("verify.difference", lang, **values)
        return tf("verify.difference_by", lang, difference=shown(self.difference, lang), **values)


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def same_value(a: object, b: object, rel_tol: float = REL_TOL) -> bool:
    """Integers exactly, floats to `rel_tol` relative (NaN equals NaN), everything else exactly."""
    if _is_number(a) and _is_number(b):
        if isinstance(a, int) and isinstance(b, int):
            return a == b
        fa, fb = float(a), float(b)  # type: ignore[arg-type]
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=0.0)
    return type(a) is type(b) and a == b


def compare(recorded: object, new: object, where: str = "", ignore: tuple[str, ...] = IGNORED
            ) -> tuple[int, list[Difference]]:
    """Compare two JSON-like values leaf by leaf; return how many leaves were compared and the ones that differ."""
    if where in ignore:
        return 0, []
    if isinstance(recorded, dict) and isinstance(new, dict):
        count, diffs = 0, []
        for k in list(recorded) + [k for k in new if k not in recorded]:
            path = f"{where}.{k}" if where else str(k)
            if k not in new or k not in recorded:
                if path not in ignore:
                    count += 1
                    diffs.append(Difference(path, recorded.get(k, "(missing)"), new.get(k, "(missing)")))
                continue
            c, d = compare(recorded[k], new[k], path, ignore)
            count, diffs = count + c, diffs + d
        return count, diffs
    if isinstance(recorded, list) and isinstance(new, list):
        if len(recorded) != len(new):
            return 1, [Difference(f"{where} (length)", len(recorded), len(new), len(new) - len(recorded))]
        count, diffs = 0, []
        for i, (a, b) in enumerate(zip(recorded, new)):
            c, d = compare(a, b, f"{where}[{i}]", ignore)
            count, diffs = count + c, diffs + d
        return count, diffs
    if same_value(recorded, new):
        return 1, []
    diff = None
    if _is_number(recorded) and _is_number(new):
        diff = new - recorded  # type: ignore[operator]
    return 1, [Difference(where, recorded, new, diff)]


def read_tables(path: Path) -> dict[str, list[list[object]]]:
    """Every sheet of an exported tables.xlsx as rows of cell values (what a reader of the report sees)."""
    from openpyxl import load_workbook

    from ucj.presentation.i18n import LANGS, t

    stamp_rows = {t("generated_at", lang) for lang in LANGS}  # the notes sheet's stamp: when it was made
    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: [list(r) for r in ws.iter_rows(values_only=True) if not (r and r[0] in stamp_rows)]
                for ws in wb.worksheets}
    finally:
        wb.close()


# -- what was recorded --------------------------------------------------------------------------
@dataclass
class Recorded:
    """One report as the run recorded it."""

    slug: str
    district: str
    district_name: str
    parameters: dict[str, object]
    key_figures: dict[str, object]
    tables: dict[str, dict[str, object]]  # data tables: sha256, rows, sources, synthetic
    tables_xlsx: Path | None
    altered: list[str] = field(default_factory=list)  # files that no longer match run.json's sha256
    executed: Path | None = None  # the executed report.ipynb shipped with the report
    notebook_sha256: str | None = None  # what run.json records of the notebook that made it


def _read_json(path: Path, what: str) -> dict[str, object]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise UcjInputError.one(f"{what} is missing or unreadable", file=str(path)) from None
    except ValueError as err:
        raise UcjInputError.one(f"{what} is not valid JSON ({err})", file=str(path)) from None
    if not isinstance(data, dict):
        raise UcjInputError.one(f"{what} is not a JSON object", file=str(path))
    return data


def _data_tables(key: dict[str, object]) -> dict[str, dict[str, object]]:
    try:
        return dict(key["provenance"]["tables"])  # type: ignore[index]
    except (KeyError, TypeError):
        return {}


def _recorded_entry(run_dir: Path, e: dict[str, object], district: str) -> Recorded:
    """One report or overview of run.json, with its key figures and the files that no longer match
    their recorded sha256."""
    folder = run_dir / str(e["slug"])
    key = _read_json(folder / KEY_FIGURES, f"the key figures of {e.get('district_name')}")
    files = e.get("files") if isinstance(e.get("files"), dict) else {}
    altered = [name for name, digest in sorted(files.items())  # type: ignore[union-attr]
               if not (folder / name).is_file() or sha256_file(folder / name) != digest]
    xlsx = folder / TABLES_XLSX
    return Recorded(str(e["slug"]), district, str(e.get("district_name")),
                    dict(e.get("parameters") or {}),  # type: ignore[arg-type]
                    key, dict(e.get("tables") or _data_tables(key)),  # type: ignore[arg-type]
                    xlsx if xlsx.is_file() else None, altered, folder / "report.ipynb",
                    str(e.get("notebook_sha256") or ""))


_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _made(run: dict[str, object], part: str, file: Path | None = None) -> list[dict[str, object]]:
    """The entries of run.json's `part` that were made, each checked for the shape verify reads: a list of
    objects, a slug that names a folder inside the run (never '..' or a path), parameters and files as
    objects. A run.json that is not so was not written by ucj: refused in one line naming the key."""
    where = str(file) if file else None
    entries = run.get(part, [])
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise UcjInputError.one(f"'{part}' must be a list of entries (found {type(entries).__name__})", file=where)
    out = []
    for i, e in enumerate(entries):
        if not isinstance(e, dict):
            raise UcjInputError.one(f"'{part}' entry {i + 1} must be an object (found {type(e).__name__})", file=where)
        if e.get("status") != "ok":
            continue
        slug = e.get("slug")
        if not isinstance(slug, str) or not _SLUG.match(slug) or slug in (".", ".."):
            raise UcjInputError.one(f"'{part}' entry {i + 1}: 'slug' must name a folder inside the run (letters, "
                                    "digits, '.', '-', '_')", file=where, value=None if slug is None else str(slug))
        for key in ("parameters", "files", "tables"):
            if e.get(key) is not None and not isinstance(e.get(key), dict):
                raise UcjInputError.one(f"'{part}' entry {i + 1}: '{key}' must be an object", file=where)
        out.append(e)
    return out


def _compare_report(c: ReportCheck, r: Recorded, key_now: dict[str, object], xlsx_now: Path) -> None:
    """Compare a report made again with its record: key figures, and the Excel tables when both exist."""
    c.figures, c.differences = compare(r.key_figures, key_now)
    if r.tables_xlsx is not None and xlsx_now.is_file():
        n, d = compare(read_tables(r.tables_xlsx), read_tables(xlsx_now), "tables")
        c.figures, c.differences = c.figures + n, c.differences + d


STAMP = re.compile(r'<p class=["\']ucj-stamp["\']>.*?</p>', re.S)  # when and with which code: the environment
PNG_TOLERANCE = (16, 0.005)  # a pixel differs when a channel differs by more than 16 of 255; at most 0.5 % may


def page_text(data: bytes) -> str:
    """A report page without its stamp (the time it was made and the code version)."""
    return STAMP.sub("", data.decode("utf-8", errors="replace"))


def png_differs(a: bytes, b: bytes) -> Note | None:
    """Why two figures are not the same picture (size, or the share of pixels that differ beyond what
    another machine's fonts and anti-aliasing change), else None."""
    import io

    import numpy as np
    from PIL import Image, UnidentifiedImageError

    try:
        x, y = (np.asarray(Image.open(io.BytesIO(d)).convert("RGBA"), dtype=np.int16) for d in (a, b))
    except (UnidentifiedImageError, OSError, ValueError):
        return Note("png_unreadable")
    if x.shape != y.shape:
        return Note("png_size", width=x.shape[1], height=x.shape[0], width_now=y.shape[1], height_now=y.shape[0])
    differs = np.abs(x - y).max(axis=2) > PNG_TOLERANCE[0]
    share = np.count_nonzero(differs) / differs.size  # a comparison of two files, not a figure of the data
    return Note("png_pixels", share=round(100 * share, 1)) if share > PNG_TOLERANCE[1] else None


def compare_outputs(c: ReportCheck, folder: Path | None, now: dict[str, bytes]) -> None:
    """Compare the files a report shipped with the same files made again: each page's text (without its
    stamp) and each figure's pixels (within PNG_TOLERANCE); a difference is named with its file."""
    if folder is None:
        return
    for name, data in sorted(now.items()):
        shipped = folder / name
        if not shipped.is_file():  # a file of the run that is gone is named by its recorded sha256
            continue
        if name.endswith(".html"):
            c.figures += 1
            if page_text(shipped.read_bytes()) != page_text(data):
                c.differences.append(Difference(f"{name} (text)", Note("shipped_page"), Note("page_differs")))
        elif name.endswith(".png"):
            c.figures += 1
            why = png_differs(shipped.read_bytes(), data)
            if why:
                c.differences.append(Difference(f"{name} (pixels)", Note("shipped_figure"), why))


def reexecute_overviews(overviews: list[Recorded], data_dirs: tuple[str, ...]) -> list[ReportCheck]:
    """Make the overviews again (papermill, as the run did) in a temporary folder and compare them."""
    from ucj.data.registry import load_registry
    from ucj.runs.batch import Setup, data_spec, notebook, overview_params, render_overview

    registry = load_registry()
    checks = []
    for r in overviews:
        c = ReportCheck(r.slug, r.district, r.district_name)
        checks.append(c)
        code = r.parameters.get("province")
        try:
            p = overview_params(str(code) if code else None, registry, str(r.parameters.get("lang", "id")),
                                ";".join(data_dirs), str(r.parameters.get("last_period") or ""),
                                str(r.parameters.get("denominator") or ""))
        except UcjInputError as err:
            c.error = Note("params_invalid", detail=err.render())
            continue
        result = render_overview(p, Setup(notebook(p.notebook).read_text(encoding="utf-8"), data_spec(data_dirs)))
        if result.entry.get("status") != "ok":
            c.error = Note("overview_failed", detail=str(result.entry.get("error")))
            continue
        tmp = Path(tempfile.mkdtemp(prefix="ucj-verify-"))
        try:
            if TABLES_XLSX in result.files:
                (tmp / TABLES_XLSX).write_bytes(result.files[TABLES_XLSX])
            _compare_report(c, r, json.loads(result.files[KEY_FIGURES]), tmp / TABLES_XLSX)
            compare_outputs(c, r.executed.parent if r.executed else None, result.files)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return checks


def recorded_run(run_dir: Path) -> tuple[dict[str, object], list[Recorded], list[Recorded]]:
    """run.json, each district report it records as made (status ok) and each province and national
    overview (`district` is the province code, or "ID" for the nation), with their key figures."""
    run = _read_json(run_dir / "run.json", "the run record (run.json)")
    made = {part: _made(run, part, run_dir / "run.json") for part in ("reports", "overviews")}
    reports = [_recorded_entry(run_dir, e, str(e.get("district"))) for e in made["reports"]]
    for r in reports:
        r.parameters = r.parameters or _parameters_from(r.key_figures)  # runs made before run.json recorded them
    overviews = [_recorded_entry(run_dir, e, str(e.get("province_code") or "ID")) for e in made["overviews"]]
    if not reports and not overviews:
        raise UcjInputError.one("run.json records no report that was made", file=str(run_dir / "run.json"))
    return run, reports, overviews


def _parameters_from(key: dict[str, object]) -> dict[str, object]:
    """Notebook parameters from a key figures' provenance (runs made before run.json recorded them)."""
    p = key.get("provenance", {}).get("parameters", {})  # type: ignore[union-attr]
    return {"district": p.get("district"), "last_period": p.get("last_period"),
            "denominator": p.get("denominator") or "", "lang": p.get("lang", "id"),
            "target_pct": p.get("target_pct") if p.get("target_pct") is not None else -1.0,
            "target_year": p.get("target_year") if p.get("target_year") is not None else -1}


def recorded_notebook(path: Path) -> Recorded:
    """One executed report.ipynb: parameters from papermill's metadata, key figures from the notebook's
    metadata (or a key_figures.json beside it)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        meta = nb["metadata"]
    except (OSError, ValueError, KeyError, TypeError):
        raise UcjInputError.one("not a readable executed notebook", file=str(path)) from None
    params = dict(meta.get("papermill", {}).get("parameters") or {})
    for k in ("data_dir", "output_dir"):
        params.pop(k, None)
    key = meta.get("ucj", {}).get("key_figures")
    if key is None and (path.parent / KEY_FIGURES).is_file():
        key = _read_json(path.parent / KEY_FIGURES, "the key figures beside the notebook")
    if not key:
        raise UcjInputError.one("the notebook records no key figures (metadata.ucj.key_figures) and no "
                                "key_figures.json sits beside it", file=str(path))
    if not params.get("district"):
        params = _parameters_from(key)
    xlsx = path.parent / TABLES_XLSX
    return Recorded(path.parent.name, str(key.get("district_code")), str(key.get("district_name")), params, key,
                    _data_tables(key), xlsx if xlsx.is_file() else None)


def _code_cells(nb: dict[str, object]) -> list[str]:
    """The source of each code cell, except the parameters cell papermill injects."""
    out = []
    for cell in nb.get("cells", []) or []:  # type: ignore[union-attr]
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        if "injected-parameters" in (cell.get("metadata", {}) or {}).get("tags", []):
            continue
        src = cell.get("source", "")
        out.append("".join(src) if isinstance(src, list) else str(src))
    return out


def notebook_problems(r: Recorded, shipped_name: str) -> list[Note]:
    """Why the executed notebook shipped with a report is not the notebook this ucj ships (code added,
    removed or changed in a cell, or run.json's notebook_sha256 not that notebook's): such a notebook
    must not be trusted, nor rerun with papermill. Empty when it is the same code."""
    from ucj import __version__
    from ucj.runs.batch import notebook

    text = notebook(shipped_name).read_text(encoding="utf-8")
    problems: list[Note] = []
    if r.notebook_sha256 is not None and r.notebook_sha256 != hashlib.sha256(text.encode()).hexdigest():
        problems.append(Note("notebook_hash", version=__version__, notebook=shipped_name))
    if r.executed is None:
        return problems
    try:
        executed = _code_cells(json.loads(r.executed.read_text(encoding="utf-8")))
    except OSError:
        return problems + [Note("notebook_missing")]
    except (ValueError, AttributeError, TypeError):
        return problems + [Note("notebook_unreadable")]
    shipped = _code_cells(json.loads(text))
    if executed != shipped:
        where = next((i for i, (a, b) in enumerate(zip(executed, shipped), 1) if a != b), min(len(executed), len(shipped)) + 1)
        problems.append(Note("notebook_code", version=__version__, notebook=shipped_name, cell=where,
                             executed=len(executed), shipped=len(shipped)))
    return problems


# -- checks before any kernel -------------------------------------------------------------------
def effective_files(data_dirs: tuple[str, ...]) -> dict[str, list[Path]]:
    """Each table's files in folder order: every file that takes part when ucj.load merges the folders
    (a table in two folders is the first merged with the second, cell by cell)."""
    from ucj.data.schema import TABLES

    found: dict[str, list[Path]] = {}
    for d in data_dirs:
        for name in TABLES:
            if (Path(d) / f"{name}.parquet").is_file():
                found.setdefault(name, []).append(Path(d) / f"{name}.parquet")
    return found


def check_data(reports: list[Recorded], data_dirs: tuple[str, ...], advice: list[str]) -> dict[str, str]:
    """Raise DataMismatch naming each recorded table the data does not match; return the hashes checked.

    A table merged from several folders was recorded as the sha256 of each file it was merged from, joined
    by '+' in folder order (ucj.data.dataset): each of those files is checked, and a differing one named."""
    recorded: dict[str, str] = {}
    for r in reports:
        for name, t in r.tables.items():
            recorded.setdefault(name, str(t.get("sha256")))
    files = effective_files(data_dirs)
    problems, checked = [], {}
    for name, digest in sorted(recorded.items()):
        if name not in files:
            problems.append(Problem(f"table {name} is missing (the run read {name}.parquet, sha256 {digest[:16]}…)",
                                    file=";".join(data_dirs)))
            continue
        found = [sha256_file(p) for p in files[name]]
        checked[name] = "+".join(found)
        wanted = digest.split("+")
        if found == wanted:
            continue
        if len(found) != len(wanted):
            problems.append(Problem(f"table {name} was merged from {len(wanted)} file(s) in the run, here from "
                                    f"{len(found)}: give the same data folders, in the same order",
                                    file=";".join(str(p) for p in files[name])))
            continue
        for path, here, then in zip(files[name], found, wanted):
            if here != then:
                problems.append(Problem(f"table {name} differs from the run's: sha256 {here[:16]}… here, "
                                        f"{then[:16]}… recorded", file=path.as_posix()))
    if problems:
        problems.insert(0, Problem("the data is not the data the run read, so no report was re-executed",
                                   file=";".join(data_dirs)))
        how = advice or ["synthetic demo data: `ucj demo` rebuilds it byte for byte (data/demo)"]
        problems += [Problem(f"to get the run's data: {line}", label="hint") for line in how]
        raise DataMismatch(problems)
    return checked


def environment_warnings(recorded: dict[str, object], now: dict[str, object]) -> list[Note]:
    """One line per difference between the environment that made the run and this one."""
    warnings = []
    for k in ("ucj", "git_commit", "python", "implementation", "platform"):
        if k in recorded and recorded.get(k) != now.get(k):
            warnings.append(Note("env_differs", what=k, then=_version(recorded.get(k)), now=_version(now.get(k))))
    libs_then = recorded.get("libraries") or {}
    libs_now = now.get("libraries") or {}
    for name in sorted(set(libs_then) | set(libs_now)):  # type: ignore[arg-type]
        a, b = libs_then.get(name), libs_now.get(name)  # type: ignore[union-attr]
        if a != b:
            warnings.append(Note("env_differs", what=name, then=_version(a or None), now=_version(b or None)))
    return warnings


def _version(value: object) -> object:
    """A version as recorded (text as it is, never quoted or grouped like a number); None: none."""
    return None if value is None else str(value)


# -- the verification ---------------------------------------------------------------------------
@dataclass
class ReportCheck:
    slug: str
    district: str
    district_name: str
    figures: int = 0
    differences: list[Difference] = field(default_factory=list)
    error: Note | None = None

    @property
    def reproduced(self) -> bool:
        return self.error is None and not self.differences and self.figures > 0


@dataclass
class Verification:
    target: str  # the run folder or notebook, as named relative to where the results are written
    data_dirs: list[str]
    warnings: list[Note]
    reports: list[ReportCheck]
    checked_at: str = field(default_factory=lambda: dt.datetime.now().isoformat(timespec="seconds"))
    altered: list[Note] = field(default_factory=list)  # the run's index or summary changed since the run

    @property
    def ok(self) -> bool:
        return bool(self.reports) and all(r.reproduced for r in self.reports) and not self.altered

    def as_dict(self) -> dict[str, object]:
        return {"target": self.target, "checked_at": self.checked_at, "all_reproduced": self.ok,
                "reproduced": sum(r.reproduced for r in self.reports), "reports_checked": len(self.reports),
                "data_dirs": self.data_dirs, "environment_warnings": self.warnings, "run_files_altered": self.altered,
                "rel_tol": REL_TOL, "ignored": list(IGNORED),
                "reports": [{"slug": r.slug, "district": r.district, "district_name": r.district_name,
                             "reproduced": r.reproduced, "figures_compared": r.figures, "error": r.error,
                             "differences": [asdict(d) for d in r.differences]} for r in self.reports]}


def choose(reports: list[Recorded], districts: list[str], sample: int | None) -> list[Recorded]:
    """The reports to re-execute: the districts named (by name or code), or a random sample, or all."""
    chosen = reports
    if districts:
        from ucj.data.registry import load_registry

        reg = load_registry()
        codes = {reg.district(d).code for d in districts}
        missing = codes - {r.district for r in reports}
        if missing:
            raise UcjInputError.one("the run has no report for this district", column="--district",
                                    value=", ".join(sorted(missing)), label="option")
        chosen = [r for r in reports if r.district in codes]
    if sample is not None:
        if sample < 1:
            raise UcjInputError.one("must be at least 1", column="--sample", value=sample, label="option")
        chosen = sorted(random.Random(0).sample(chosen, min(sample, len(chosen))), key=lambda r: r.slug)
    return chosen


def _data_dirs(base: Path, run: dict[str, object], data_dir: str) -> tuple[str, ...]:
    """The data to check: --data-dir; else the folders the run recorded (relative to it) if they are there;
    else the default data folder."""
    from ucj.core.config import split_dirs

    if data_dir:
        return split_dirs(data_dir)
    here = Path.cwd().resolve()
    for d in run.get("data_dirs", []) or []:  # type: ignore[union-attr]
        # a received run.json is not trusted to choose what is read: only a relative folder that stays
        # inside the reviewer's own tree (the current folder), never /etc or ../../..
        where = (base / str(d)).resolve()
        if Path(str(d)).is_absolute() or "\\" in str(d) or not where.is_relative_to(here):
            raise UcjInputError.one(f"run.json names the data folder {str(d)!r}, which is absolute or outside the "
                                    "current folder, so it is not read; name the data with --data-dir",
                                    file=str(base / "run.json"))
    recorded = [str((base / d).resolve()) for d in run.get("data_dirs", [])]  # type: ignore[union-attr]
    if recorded and all(Path(d).is_dir() for d in recorded):
        return tuple(recorded)
    return split_dirs("")


def reexecute(reports: list[Recorded], data_dirs: tuple[str, ...], workers: int | None,
              progress: bool, echo: Callable[[str], None]) -> list[ReportCheck]:
    """Make the reports again with the batch engine in a temporary folder and compare them with the record."""
    import os

    from ucj.data.registry import load_registry
    from ucj.runs.batch import run_many
    from ucj.runs.params import validate_params

    registry = load_registry()
    checks = {r.slug: ReportCheck(r.slug, r.district, r.district_name) for r in reports}
    params, by_slug, shown = [], {}, {}
    for r in reports:
        p = r.parameters
        try:
            vp = validate_params(p.get("district"), p.get("last_period", ""), p.get("denominator", ""),
                                 p.get("target_pct", -1.0), p.get("target_year", -1), p.get("lang", "id"),
                                 ";".join(data_dirs), registry=registry)
        except UcjInputError as err:
            checks[r.slug].error = Note("params_invalid", detail=err.render())
            continue
        params.append(vp)
        by_slug[vp.district.slug] = r
        if p.get("data_dir_shown"):  # the data folders as the checked report printed them, relative to it
            shown[vp.district.slug] = str(p["data_dir_shown"])
    tmp = Path(tempfile.mkdtemp(prefix="ucj-verify-"))
    try:
        if params:
            entries = run_many(params, tmp / "run", workers=workers or min(len(params), os.cpu_count() or 1),
                               progress=progress, force=True, echo=echo, shown=shown)
            for e in entries:
                r = by_slug[str(e["slug"])]
                c = checks[r.slug]
                if e.get("status") != "ok":
                    c.error = Note("report_failed", detail=str(e.get("error")))
                    continue
                folder = tmp / "run" / str(e["slug"])
                _compare_report(c, r, json.loads((folder / KEY_FIGURES).read_text(encoding="utf-8")),
                                folder / TABLES_XLSX)
                compare_outputs(c, r.executed.parent if r.executed else None,
                                {p.name: p.read_bytes() for p in folder.iterdir() if p.suffix in (".html", ".png")})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [checks[r.slug] for r in reports]


RUN_FILES = ("run.json", "data_manifest.json", "index.html", "summary.csv", "summary.xlsx", VERIFY_JSON,
             VERIFY_HTML, ".lock")  # what a batch (and verify) writes at the top of a run folder


def unknown_files(run_dir: Path, run: dict[str, object]) -> list[str]:
    """Every file in a run folder that run.json does not record (an extra report folder, a file added to a
    report), as paths relative to the run folder: nothing in it goes unmentioned."""
    known = set(RUN_FILES)
    for part in ("reports", "overviews"):
        for e in run.get(part, []) or []:  # type: ignore[union-attr]
            if isinstance(e, dict) and isinstance(e.get("files"), dict):
                known |= {f"{e.get('slug')}/{name}" for name in e["files"]}
    found = sorted(p.relative_to(run_dir).as_posix() for p in run_dir.rglob("*") if p.is_file() or p.is_symlink())
    return [f for f in found if f not in known]


def run_outputs_altered(run_dir: Path, run: dict[str, object]) -> tuple[list[Note], list[Note]]:
    """The run's own pages and tables (index.html, summary.csv, summary.xlsx) against the sha256 run.json
    records: one line per file changed or missing, or one line for all of them when run.json records none
    (every run ucj makes records them); the second list (warnings) is kept empty for callers."""
    from ucj.runs.batch import RUN_OUTPUTS

    recorded = run.get("files")
    if not isinstance(recorded, dict):
        # every run ucj makes records them: a run.json without them was edited, and these files then prove
        # nothing (red team: deleting the key let an edited summary.xlsx and index.html pass)
        present = [n for n in RUN_OUTPUTS if (run_dir / n).is_file()]
        return ([Note("no_sha256", files=", ".join(present))] if present else []), []
    out = []
    for name in RUN_OUTPUTS:
        if name not in recorded:
            if (run_dir / name).is_file():
                out.append(Note("added", file=name))
            continue
        path = run_dir / name
        if not path.is_file():
            out.append(Note("missing", file=name))
        elif sha256_file(path) != recorded[name]:
            out.append(Note("file_altered", file=name))
    return out, []


def _check_notebooks(checks: list[ReportCheck], reports: list[Recorded], overviews: list[Recorded]) -> None:
    """A report whose executed notebook is not the shipped code, or whose files are not those run.json
    records, is not reproduced, whatever its figures."""
    from ucj.runs.batch import DISTRICT_NOTEBOOK, OVERVIEW_NOTEBOOKS

    by_slug = {c.slug: c for c in checks}
    named = [(r, DISTRICT_NOTEBOOK) for r in reports]
    named += [(r, OVERVIEW_NOTEBOOKS["national" if r.district == "ID" else "province"]) for r in overviews]
    for r, name in named:
        problems = notebook_problems(r, name)
        problems += [Note("file_altered", file=f) for f in r.altered]
        c = by_slug.get(r.slug)
        if problems and c is not None:
            c.error = Note.joined(([c.error] if c.error else []) + problems)


def verify(target: Path, districts: list[str] | None = None, sample: int | None = None, data_dir: str = "",
           workers: int | None = None, progress: bool = False,
           echo: Callable[[str], None] = lambda line: None, lang: Lang = "id") -> Verification:
    """Verify a run folder or one executed notebook; write verify.json (its findings in English, the record)
    and verify.html (in `lang`) beside it."""
    target = Path(target)
    overviews: list[Recorded] = []
    if target.is_file():
        out_dir = target.parent
        recorded = [recorded_notebook(target)]
        recorded[0].executed = target
        run: dict[str, object] = {}
        env_then = recorded[0].key_figures.get("provenance", {}).get("versions", {})  # type: ignore[union-attr]
        advice: list[str] = []
        if districts or sample:
            recorded = choose(recorded, districts or [], sample)
    elif target.is_dir():
        out_dir = target
        run, recorded, all_overviews = recorded_run(target)
        recorded = choose(recorded, districts or [], sample) if recorded else []
        if not districts and sample is None:  # the overviews of the run, unless only some districts are asked for
            overviews = all_overviews
        env_then = run.get("environment") or {}
        advice = _advice(target, run)
    else:
        raise UcjInputError.one("no such run folder or notebook", file=str(target))
    dirs = _data_dirs(out_dir, run, data_dir)
    check_data(recorded + overviews, dirs, advice)
    now = environment()
    if target.is_file():  # a notebook records its key libraries' versions, not the whole environment
        versions = {k: v for k, v in env_then.items() if k not in ("python", "ucj")}  # type: ignore[union-attr]
        env_then = {"ucj": env_then.get("ucj"), "python": env_then.get("python"), "libraries": versions}  # type: ignore[union-attr]
        now = now | {"libraries": {k: now["libraries"].get(k) for k in versions}}  # type: ignore[union-attr]
    warnings = environment_warnings(env_then, now)  # type: ignore[arg-type]
    warnings += [Note("file_altered_of", district=r.district_name, file=name)
                 for r in recorded + overviews for name in r.altered]
    altered: list[Note] = []
    if target.is_dir():
        warnings += [Note("not_recorded", file=name) for name in unknown_files(target, run)]
        altered, unchecked = run_outputs_altered(target, run)
        warnings += unchecked
    for w in warnings:
        echo(tf("verify.cli_warning", lang, what=w.text(lang)))
    checks = reexecute(recorded, dirs, workers, progress, echo) if recorded else []
    checks += reexecute_overviews(overviews, dirs)
    _check_notebooks(checks, recorded, overviews)
    from ucj.runs.bundle import relative

    result = Verification(target.name, [relative(d, out_dir) for d in dirs], warnings, checks, altered=altered)
    try:
        write_json(out_dir / VERIFY_JSON, result.as_dict())
        write_text(out_dir / VERIFY_HTML, verify_html(result, lang))
    except OSError as err:  # a run on a read-only medium: say so in one line (copy it somewhere writable)
        from ucj.runs.batch import os_reason

        raise UcjInputError.one(os_reason(err, out_dir) + "; copy the run to a writable folder") from None
    return result


def _advice(run_dir: Path, run: dict[str, object]) -> list[str]:
    """How to get the run's data, from its data manifest."""
    try:
        manifest = json.loads((run_dir / str(run.get("data_manifest", "data_manifest.json"))).read_text("utf-8"))
        return [str(x) for x in manifest.get("how_to_get", [])]
    except (OSError, ValueError, AttributeError):
        return []


# -- the page -----------------------------------------------------------------------------------
def verify_html(v: Verification, lang: Lang = "id") -> str:
    """A readable page in `lang`: each report reproduced or not, and every differing figure with both values."""
    from ucj.core.config import stylesheet

    e = html.escape
    rows = []
    for r in v.reports:
        rows.append(f"<tr><td>{e(r.district_name)} ({e(r.district)})</td><td>{e(fmt_int(r.figures, lang))}</td>"
                    f"<td class='{'ok' if r.reproduced else 'bad'}'>{e(report_status(r, lang))}</td></tr>")
    details = []
    for r in v.reports:
        if r.differences:
            lines = "".join(f"<tr><td><code>{e(d.figure)}</code></td><td>{e(shown(d.recorded, lang))}</td>"
                            f"<td>{e(shown(d.new, lang))}</td>"
                            f"<td>{e('' if d.difference is None else shown(d.difference, lang))}</td></tr>"
                            for d in r.differences)
            head = "".join(f"<th>{e(t(f'verify.col.{c}', lang))}</th>" for c in ("figure", "recorded", "new", "difference"))
            details.append(f"<h2>{e(tf('verify.h_differ', lang, district=r.district_name, n=fmt_int(len(r.differences), lang)))}</h2>"
                           f"<table class='ucj-table'><tr>{head}</tr>{lines}</table>")
    warn = "".join(f"<li>{e(w.text(lang))}</li>" for w in v.warnings) or f"<li>{e(t('verify.none', lang))}</li>"
    title = e(tf("verify.title", lang, target=v.target))
    head = "".join(f"<th>{e(t(f'verify.col.{c}', lang))}</th>" for c in ("report", "figures", "result"))
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{title}</title>"
            f"<style>{stylesheet()}{stylesheet('page')} .ok{{color:#1a7f37}} .bad{{color:#b42318;font-weight:bold}}"
            f"</style></head><body><h1 class='ucj-title'>{title}</h1>"
            f"<p>{e(verdict(v, lang))} {e(tf('verify.checked', lang, at=v.checked_at, dirs=', '.join(v.data_dirs), tol=fmt_exact(REL_TOL, lang)))}</p>"
            f"<table class='ucj-table'><tr>{head}</tr>{''.join(rows)}"
            f"</table><h2>{e(t('verify.h_environment', lang))}</h2><ul>{warn}</ul>{''.join(details)}</body></html>")


def report_status(r: ReportCheck, lang: Lang) -> str:
    """A report's result on the page: reproduced, or not and why."""
    if r.reproduced:
        return t("verify.status.reproduced", lang)
    return tf("verify.status.not_because", lang, why=r.error.text(lang)) if r.error else t("verify.status.not", lang)


def verdict(v: Verification, lang: Lang) -> str:
    """The page's first sentence: all reproduced, or how many did not; and the run's own files changed."""
    n = fmt_int(len(v.reports), lang)
    text = (tf("verify.all_reproduced", lang, n=n) if v.ok else
            tf("verify.some_not", lang, bad=fmt_int(sum(not r.reproduced for r in v.reports), lang), n=n))
    if v.altered:
        text += " " + tf("verify.altered_verdict", lang, files="; ".join(a.text(lang) for a in v.altered))
    return text


def cli_lines(result: Verification, lang: Lang) -> list[tuple[str, bool]]:
    """What `ucj verify` prints after the run, in `lang`, each with whether it is said even when quiet
    (a report not reproduced, a file altered) or only when not quiet (reproduced)."""
    out = []
    for r in result.reports:
        if r.reproduced:
            out.append((tf("verify.cli.reproduced", lang, district=r.district_name, n=fmt_int(r.figures, lang)), False))
            continue
        out.append((tf("verify.cli.not_because", lang, district=r.district_name, why=r.error.text(lang)) if r.error else
                    tf("verify.cli.not", lang, district=r.district_name, bad=fmt_int(len(r.differences), lang),
                       n=fmt_int(r.figures, lang)), True))
        out += [(f"  {r.district_name}: {d.line(lang)}", True) for d in r.differences]
    out += [(tf("verify.cli.altered", lang, what=line.text(lang)), True) for line in result.altered]
    return out


def done_line(result: Verification, page: Path, lang: Lang) -> str:
    """`ucj verify`'s last line: how many reports reproduced, and where the page is."""
    return tf("verify.cli.done", lang, done=fmt_int(sum(r.reproduced for r in result.reports), lang),
              n=fmt_int(len(result.reports), lang), page=page)
