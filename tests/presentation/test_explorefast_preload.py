"""Issue 21, first paint: the explorer's faster path shows what the plain path shows. The page's kernel reads
the data through the store and is preloaded (`preload`: the first district's figures and coverage view,
computed before the page is asked for); the command and the server load none of the explorer's heavy
modules before the kernel starts. The speed itself is measured in benchmarks/explore_first_paint.py."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

pytestmark = pytest.mark.slow  # each district's figures take seconds
BOALEMO = "75.02"


@pytest.fixture()
def own_store(tmp_path, monkeypatch):
    """A store of derived data of this test's own (not the user's cache)."""
    monkeypatch.setenv("UCJ_STORE", str(tmp_path / "store"))
    from ucj.presentation import explore

    monkeypatch.setattr(explore, "_SHARED", {})
    return tmp_path / "store"


def test_preloaded_page_shows_what_the_plain_path_shows(demo_dir, own_store, monkeypatch):
    import ucj
    from ucj.presentation.explore import Explorer, load_data, preload, tables_of

    monkeypatch.setenv("UCJ_LANG", "en")
    preload(str(demo_dir), "Boalemo")  # what the warm kernel runs
    fast_ds = load_data(str(demo_dir))  # what the page's notebook then reads (the store, filled by preload)
    assert fast_ds.store_key and any(own_store.rglob("*.pickle"))
    tables = tables_of(fast_ds)
    assert (BOALEMO, "working_population") in tables.figures  # ready before the page
    assert any(k[0] == BOALEMO and k[4] == "en" for k in tables.views)
    fast = Explorer(fast_ds, "en", BOALEMO)
    plain = Explorer(ucj.load(demo_dir), "en", BOALEMO)  # validated from the files, everything computed anew
    assert tables_of(plain.ds) is not tables  # a dataset read without the store shares nothing
    for tab in ("coverage", "claims", "poverty", "budget"):
        fast.tabs.selected_index = plain.tabs.selected_index = ("coverage", "claims", "poverty", "budget").index(tab)
        a, b = fast.view(tab), plain.view(tab)
        assert a.lines == b.lines and a.notes == b.notes and a.alt == b.alt, tab
        pd.testing.assert_frame_equal(a.table, b.table)
        assert fast.heads[tab].value == plain.heads[tab].value
    # a second district: computed on its visit, the same either way
    fast.district.value = plain.district.value = "71.02"
    fast.tabs.selected_index = plain.tabs.selected_index = 0
    assert fast.view("coverage").lines == plain.view("coverage").lines
    assert fast.target_year.value == plain.target_year.value


def test_a_bad_data_folder_after_preload_is_still_a_sentence(tmp_path, own_store):
    from ucj.presentation.explore import explorer_app, preload

    preload(str(tmp_path / "nope"), "Boalemo")  # says nothing: the page says it
    page = explorer_app(str(tmp_path / "nope"), "en", "Boalemo")
    assert "ucj-problem" in page.value and "Traceback" not in page.value


def test_the_command_and_the_server_load_no_heavy_module():
    """What `ucj explore` and its server import before the page's kernel starts: no pandas, no matplotlib,
    no analysis (they took seconds of the first paint)."""
    code = ("import sys, ucj.runs.explore_server, ucj.presentation.explore_env; "
            "print(sorted(m for m in ('pandas', 'matplotlib', 'ucj.presentation.explore', 'ucj.analysis.district') "
            "if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "[]", run.stdout + run.stderr
