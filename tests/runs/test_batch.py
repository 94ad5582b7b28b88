"""The batch client without kernels: the run folder (lock, whole-or-nothing report folders, resume),
failures (full disk, --max-failures), and the refusals of `ucj report`/`ucj reports` options.

A stand-in for the worker (`render`) returns files as bytes, so these tests check what the client
does with them; tests/runs/test_batch_engine.py runs the real kernels."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ucj.cli import app
from ucj.core.errors import UcjInputError
from ucj.runs import batch
from ucj.runs.engine import Result
from ucj.presentation.i18n import t
from ucj.runs.params import validate_params

DISTRICTS = ["Boalemo", "Banggai", "Minahasa"]


@pytest.fixture
def params(demo_dir):
    return [validate_params(d, data_dir=str(demo_dir)) for d in DISTRICTS]


class FakeRender:
    """Stands in for the warm kernel: the files of a report, made from its parameters, as bytes."""

    def __init__(self, fail: set[str] = frozenset(), size: int = 1000) -> None:
        self.calls: list[str] = []
        self.fail, self.size = set(fail), size

    def __call__(self, job, payload=None):
        self.calls.append(job.slug)
        if job.parameters["district"] in self.fail:
            return Result(dict(job.entry) | {"status": "failed", "error": "ValueError: broken on purpose",
                                             "cell": 4}, {"report.ipynb": b"{}"})
        key = {"coverage_pct": 1.0, "target_pct": 2.0, "target_year": 2030, "projection": {"status": "on_track"},
               "synthetic_tables": ["enrolment"]}
        blob = hashlib.sha256(json.dumps(job.parameters).encode()).digest() * (self.size // 32 + 1)
        return Result(dict(job.entry) | {"status": "ok", "html": f"{job.slug}/report.html", "coverage_pct": 1.0,
                                         "target_pct": 2.0, "target_year": 2030, "projection_status": "on_track",
                                         "synthetic_tables": ["enrolment"]},
                      {"report.html": b"<html></html>", "key_figures.json": json.dumps(key).encode(),
                       "coverage.png": blob[: self.size]})


@pytest.fixture
def fake(monkeypatch):
    f = FakeRender()
    monkeypatch.setattr(batch, "render", f)
    return f


def _run(params, run_dir, **kw):
    return batch.run_many(params, run_dir, workers=1, progress=False, echo=lambda line: None, **kw)


def test_a_rerun_skips_unchanged_reports_and_redoes_changed_ones(params, tmp_path, fake):
    run = tmp_path / "run"
    first = _run(params, run)
    assert [e["status"] for e in first] == ["ok"] * 3 and len(fake.calls) == 3
    recorded = json.loads((run / "run.json").read_text())["reports"]
    for e in recorded:  # the hashes recorded are those of the files on disk
        for name, digest in e["files"].items():
            assert hashlib.sha256((run / e["slug"] / name).read_bytes()).hexdigest() == digest
    fake.calls.clear()
    second = _run(params, run)
    assert fake.calls == [] and all(e.get("skipped") for e in second)
    # a changed file, a deleted file and a changed parameter each make that report again
    (run / params[0].district.slug / "coverage.png").write_bytes(b"edited")
    (run / params[1].district.slug / "report.html").unlink()
    changed = [params[0], params[1], validate_params("Minahasa", data_dir=params[2].data_dirs[0], lang="en")]
    third = _run(changed, run)
    assert sorted(fake.calls) == sorted(p.district.slug for p in changed)
    assert not any(e.get("skipped") for e in third)
    fake.calls.clear()
    _run(changed, run, force=True)
    assert len(fake.calls) == 3


def test_report_folders_are_replaced_whole_and_leftovers_are_cleaned(params, tmp_path, fake):
    run = tmp_path / "run"
    _run(params, run)
    # what a killed batch leaves behind: a half-written temporary folder and an atomic-write temp file
    (run / ".tmp-7502-kabupaten-boalemo-deadbeef").mkdir()
    (run / ".tmp-7502-kabupaten-boalemo-deadbeef" / "report.html").write_text("half")
    (run / ".index.html.x.tmp").write_text("half")
    _run(params, run, force=True)
    assert sorted(p.name for p in run.iterdir()) == sorted(
        ["data_manifest.json", "index.html", "run.json", "summary.csv", "summary.xlsx"]
        + [p.district.slug for p in params])  # and no .lock: the batch removes its lock file when it ends


def test_a_failed_report_is_listed_and_max_failures_stops_the_batch(params, tmp_path, monkeypatch):
    fake = FakeRender(fail={"75.02", "72.01"})
    monkeypatch.setattr(batch, "render", fake)
    lines = []
    entries = batch.run_many(params, tmp_path / "run", workers=1, progress=False, max_failures=1,
                             echo=lines.append)
    assert fake.calls == [params[0].district.slug]  # stopped after the first failure
    assert [e["status"] for e in entries] == ["failed"] * 3
    assert "stopped after 1 failed (--max-failures 1)" in lines[-1]
    index = (tmp_path / "run" / "index.html").read_text()
    assert "broken on purpose" in index and f"({t('cell', params[0].lang)} 4)" in index
    run_json = json.loads((tmp_path / "run" / "run.json").read_text())
    assert [e["district"] for e in run_json["reports"]] == ["75.02"] and run_json["finished_at"] is None


def test_a_second_batch_into_a_run_in_progress_is_refused_naming_the_holder(tmp_path, demo_dir):
    run = tmp_path / "run"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from ucj.runs.batch import locked
        with locked(Path({str(run)!r})):
            print("locked", flush=True)
            time.sleep(60)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(batch.RunBusy) as err:
            with batch.locked(run):
                pass
        assert f"process {holder.pid} (started " in str(err.value)  # the pid, never the host name
        result = CliRunner().invoke(app, ["reports", "--district", "Boalemo", "--data-dir", str(demo_dir),
                                          "--out", str(tmp_path), "--run", "run"])
        assert result.exit_code == 2
        assert f"this run is in progress in process {holder.pid}" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait()
    with batch.locked(run):  # free again once the holder is gone (killed, not cleaned up)
        pass


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB file system (tmpfs), so a full disk is a full disk; skipped where mounting is not allowed."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)], capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], check=False)


def test_a_full_disk_fails_the_reports_that_do_not_fit_with_one_line(params, small_disk, monkeypatch):
    monkeypatch.setattr(batch, "render", FakeRender(size=450_000))
    lines = []
    run = small_disk / "run"
    entries = batch.run_many(params, run, workers=1, progress=False, echo=lines.append)
    status = [e["status"] for e in entries]
    assert status[0] == "ok" and "failed" in status
    failed = [e for e in entries if e["status"] == "failed"]
    assert all(e["error"].endswith("no space left on the disk") and "\n" not in e["error"] for e in failed)
    # what was written is whole: no temporary folders, and every report folder has all its files
    names = sorted(p.name for p in run.iterdir())
    assert not [n for n in names if n.startswith((".tmp-", ".old-"))]
    for e in entries:
        if e["status"] == "ok":
            assert sorted(p.name for p in (run / e["slug"]).iterdir()) == sorted(e["files"])
        else:
            assert not (run / e["slug"]).exists()
    index = (run / "index.html").read_text()
    assert "no space left on the disk" in index


def test_cli_refuses_bad_batch_options_before_any_work(demo_dir, tmp_path):
    afile = tmp_path / "afile"
    afile.write_text("x")
    cases = [
        (["reports", "--district", "Boalemo", "--workers", "0"], "--workers"),
        (["reports", "--district", "Boalemo", "--workers", "-1"], "--workers"),
        (["reports", "--district", "Boalemo", "--max-failures", "-2"], "--max-failures"),
        (["reports", "--district", "Boalemo", "--out", str(afile)], "--out must be a folder"),
        (["report", "--district", "Boalemo", "--out", str(afile)], "--out must be a folder"),
        (["reports", "--district", "Boalemo", "--out", str(tmp_path), "--run", "../escape"], "a run name is"),
        (["reports", "--district", "Boalemo", "--out", str(tmp_path), "--run", "/etc"], "a run name is"),
        (["report", "--district", "Boalemo", "--out", str(tmp_path), "--run", "a/b"], "a run name is"),
        (["reports", "--district", "Boalemo", "--scheduler", "localhost:8786"], "tcp://HOST:PORT"),
    ]
    before = sorted(tmp_path.iterdir())
    for args, message in cases:
        result = CliRunner().invoke(app, [*args, "--data-dir", str(demo_dir)])
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output and "Traceback" not in result.output, (args, result.output)
    assert sorted(tmp_path.iterdir()) == before


def test_the_lock_is_not_inherited_by_processes_the_batch_starts(tmp_path):
    """Workers and kernels are started with exec, and the lock's descriptor closes on exec: a lock held by
    the batch dies with the batch alone, never kept alive by a stray child."""
    run = tmp_path / "run"
    show = ("import os; print([os.readlink('/proc/self/fd/' + f) for f in os.listdir('/proc/self/fd') "
            "if os.path.exists('/proc/self/fd/' + f)])")
    with batch.locked(run):
        mine = [os.readlink(f"/proc/self/fd/{fd}") for fd in os.listdir("/proc/self/fd")
                if os.path.exists(f"/proc/self/fd/{fd}")]
        assert str(run / ".lock") in mine
        child = subprocess.run([sys.executable, "-c", show], capture_output=True, text=True, close_fds=False)
        assert child.returncode == 0 and str(run / ".lock") not in child.stdout


def test_run_folder_errors_are_one_line(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UcjInputError) as err:
        with batch.locked(tmp_path / "file" / "run"):
            pass
    assert "cannot write" in str(err.value) and "\n" not in str(err.value)


def test_cli_on_a_full_disk_exits_non_zero_with_one_line_per_report(demo_dir, small_disk, monkeypatch):
    monkeypatch.setattr(batch, "render", FakeRender(size=450_000))
    args = ["reports", "--data-dir", str(demo_dir), "--out", str(small_disk), "--run", "r", "--no-progress"]
    for d in DISTRICTS:
        args += ["--district", d]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    lines = [line for line in result.output.splitlines() if "failed:" in line]
    assert lines and all(line.strip().endswith("no space left on the disk") for line in lines), \
        (result.output, repr(result.exception))
    assert "Traceback" not in result.output and "reports:" in result.output
    assert (small_disk / "r" / "index.html").exists() and (small_disk / "r" / "run.json").exists()


def test_overviews_and_districts_share_a_run_in_either_order(params, demo_dir, tmp_path, fake, monkeypatch):
    """An overview made before or after a batch of districts stays in run.json and on the index, and an
    unchanged overview is skipped on a rerun (the kernels are replaced: this checks the run folder)."""
    from ucj.data.registry import load_registry

    made: list[str] = []

    def render_overview(p, setup, recorded=(), pdf=False):
        made.append(p.slug)
        key = {"level": "province", "province": p.province_name, "coverage_pct": 29.7, "denominator": "working_population", "target_pct": 43.92,
               "target_year": 2029, "projection": {"status": "unlikely", "projected_pct": 30.4, "lower_pct": 21.0,
                                                   "upper_pct": 39.9},
               "claims_12m": {"count": 1900, "amount_rp": 24_960_000_000}, "poverty": {"year": 2025, "p0": 13.24},
               "synthetic_tables": ["enrolment"], "lang": "id"}
        return Result({"kind": "overview", "district_name": p.title(), "province": p.province_name,
                       "province_code": p.province_code, "slug": p.slug, "status": "ok", "html": f"{p.slug}/report.html"},
                      {"report.html": b"<html></html>", "key_figures.json": json.dumps(key).encode()})

    monkeypatch.setattr(batch, "render_overview", render_overview)
    ov = batch.overview_params("Gorontalo", load_registry(), "id", str(demo_dir))
    run = tmp_path / "run"
    batch.run_overviews([ov], run)
    _run(params, run)
    data = json.loads((run / "run.json").read_text())
    assert [e["slug"] for e in data["overviews"]] == ["overview-75-gorontalo"] and len(data["reports"]) == 3
    page = (run / "index.html").read_text()
    assert 'href="overview-75-gorontalo/report.html"' in page and "29,7 %" in page and "30,4 % (21,0 %–39,9 %)" in page
    assert batch.run_overviews([ov], run)[0].get("skipped") and made == ["overview-75-gorontalo"]
    data = json.loads((run / "run.json").read_text())
    assert len(data["reports"]) == 3 and data["parameters"] and len(data["overviews"]) == 1
    summary = (run / "summary.csv").read_text()
    assert "overview" not in summary and summary.count("\n") == 1 + 3  # the districts' key figures only


def test_a_report_whose_notebook_would_name_its_data_differently_is_made_again(demo_dir, tmp_path):
    """The executed notebook gives the data folder relative to its own folder; a run folder at another
    place relative to the data (or a notebook from before, with the full path) changes that, so the
    report's inputs differ and a resume makes it again, while the same place keeps it."""
    params = [validate_params("Boalemo", data_dir=str(demo_dir))]
    here = batch.plan(params, tmp_path / "a")[0]
    again = batch.plan(params, tmp_path / "b")[0]  # another run at the same depth: the same relative path
    deeper = batch.plan(params, tmp_path / "x" / "a")[0]
    expected = os.path.relpath(Path(demo_dir).resolve(), (tmp_path / "a" / here.slug).resolve())
    assert dict(here.recorded) == {"data_dir": expected} and not Path(expected).is_absolute()
    assert here.inputs == again.inputs
    assert deeper.inputs != here.inputs and dict(deeper.recorded)["data_dir"] == "../" + expected
    assert batch.plan(params)[0].inputs != here.inputs  # no run folder: the notebook keeps what it ran with
