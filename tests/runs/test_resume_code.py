"""A rerun of the same run name makes a report again when anything ucj ships changed, not only its version
number: an edited catalogue entry, a corrected published figure or a line of code (an editable install
keeps its version). Before this, a rerun after a wording change kept the old page as "unchanged"."""

from __future__ import annotations

from pathlib import Path

import pytest

from ucj.core.config import published_file, resource
from ucj.data import store
from ucj.runs import batch
from ucj.runs.params import validate_params

from tests.runs.test_batch import FakeRender


def _fingerprint_with(monkeypatch, changed: Path) -> str:
    """The fingerprint computed again, as if `changed` held one more byte (the file itself is not touched)."""
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        data = real(self)
        return data + b"#" if self.resolve() == changed.resolve() else data

    monkeypatch.setattr(store, "_CODE", [])
    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    try:
        return store.code_fingerprint()
    finally:
        monkeypatch.setattr(Path, "read_bytes", real)
        monkeypatch.setattr(store, "_CODE", [])


@pytest.mark.parametrize("changed", [
    lambda: resource("locale") / "en.po",                      # a catalogue entry reworded
    lambda: published_file("national_figures.csv"),          # a published figure corrected
    lambda: resource("report.css"),                          # the page's stylesheet
    lambda: Path(batch.__file__),                            # a line of code
], ids=["catalogue", "published", "stylesheet", "code"])
def test_the_fingerprint_reads_every_kind_of_shipped_file(monkeypatch, changed):
    path = changed()
    assert path.is_file()
    monkeypatch.setattr(store, "_CODE", [])
    before = store.code_fingerprint()
    assert _fingerprint_with(monkeypatch, path) != before
    monkeypatch.setattr(store, "_CODE", [])
    assert store.code_fingerprint() == before  # the same files give the same key


def test_bytecode_is_not_part_of_the_fingerprint(tmp_path):
    assert not store._shipped(Path("ucj/analysis/__pycache__/budget.cpython-311.pyc"))
    assert not store._shipped(Path("ucj/resources/.DS_Store"))
    assert store._shipped(Path("ucj/resources/locale/id.po"))


def test_a_rerun_after_a_catalogue_change_makes_every_report_again(demo_dir, tmp_path, monkeypatch):
    fake = FakeRender()
    monkeypatch.setattr(batch, "render", fake)
    params = [validate_params(d, data_dir=str(demo_dir)) for d in ["Boalemo", "Minahasa"]]

    def run():
        return batch.run_many(params, tmp_path / "run", workers=1, progress=False, echo=lambda line: None)

    run()
    fake.calls.clear()
    assert all(e.get("skipped") for e in run()) and fake.calls == []  # nothing changed: nothing made
    reworded = _fingerprint_with(monkeypatch, resource("locale") / "id.po")
    monkeypatch.setattr(store, "_CODE", [reworded])
    entries = run()
    assert sorted(fake.calls) == sorted(p.district.slug for p in params)
    assert not any(e.get("skipped") for e in entries)
