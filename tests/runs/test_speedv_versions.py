"""The libraries a run records (bundle.environment) are read from each metadata file's header alone
(bundle.library_version): the same text importlib.metadata.version gives, for every locked library."""

from __future__ import annotations

from importlib import metadata

from ucj.runs import bundle


def _stdlib_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def test_every_recorded_version_is_importlib_metadatas():
    names = bundle.locked_names()
    assert len(names) > 50  # the lock's libraries (a source checkout)
    got = {n: bundle.library_version(n) for n in names}
    assert got == {n: _stdlib_version(n) for n in names}
    assert bundle.environment()["libraries"] == got


def test_a_library_not_installed_is_none():
    assert bundle.library_version("no-such-library-ucj-test") is None
    assert _stdlib_version("no-such-library-ucj-test") is None
