"""Published files read once per process (speedr): each reader returns the frame `pd.read_csv` reads from the
file with the same options (values, dtypes, index, columns), a caller's change to its copy is not seen by the
next reader, and a file with a changed byte is read again."""

from __future__ import annotations

import pandas as pd
import pytest

from ucj.core.config import published_file
from ucj.data import published

READERS = [
    (published.published_facts, "seed_facts.csv", dict(dtype={"district_code": "str", "date": "str"})),
    (published.fact_wording, "fact_wording.csv",
     dict(dtype={"district_code": "str", "date": "str", "wording": "str", "note_id": "str", "note_en": "str"},
          keep_default_na=False, na_values={"rounding": [""]})),
    (published.bps_poverty_province, "bps_poverty_province.csv", dict(dtype={"province_code": "str"})),
]


@pytest.mark.parametrize("reader,name,options", READERS)
def test_reader_gives_read_csv(reader, name, options) -> None:  # type: ignore[no-untyped-def]
    want = pd.read_csv(published_file(name), **options)
    for _ in range(3):  # the first read, then the kept one
        got = reader()
        pd.testing.assert_frame_equal(got, want, check_exact=True)
        assert list(got.dtypes) == list(want.dtypes)


@pytest.mark.parametrize("reader,name,options", READERS)
def test_a_changed_copy_is_not_kept(reader, name, options) -> None:  # type: ignore[no-untyped-def]
    want = pd.read_csv(published_file(name), **options)
    first = reader()
    first.iloc[0, 0] = None
    del first[first.columns[-1]]
    pd.testing.assert_frame_equal(reader(), want, check_exact=True)


def test_a_changed_byte_is_read_again(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "seed_facts.csv"
    text = published_file("seed_facts.csv").read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    before = published.published_facts(path)
    pd.testing.assert_frame_equal(before, published.published_facts(published_file("seed_facts.csv")))
    first_value = str(before["value"].iloc[0])
    lines = text.splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    row = lines[1].split(",")
    row[header.index("value")] = "987654321"
    path.write_text("".join([lines[0], ",".join(row), *lines[2:]]), encoding="utf-8")  # same path, same size or not
    after = published.published_facts(path)
    assert after["value"].iloc[0] == 987654321 and str(after["value"].iloc[0]) != first_value
    pd.testing.assert_frame_equal(after, pd.read_csv(path, dtype={"district_code": "str", "date": "str"}))
