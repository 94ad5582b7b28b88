"""The 514-district page check on the demo merged with the real BPS imports (issue 18), in Bahasa
Indonesia: the real P0 and poor-population files of ../shared/data/raw imported with `ucj import bps-table`
over the demo, as a planner does (the `merged` fixture of test_pages_one_story.py), then every district's
page checked with the same checker as the demo's (`every_district_problems`). A file of its own so that
`--dist loadfile` gives it a worker of its own (it takes minutes, like the demo's)."""

import pytest

from test_pages_one_story import every_district_problems, merged  # noqa: F401  (merged: the fixture)

pytestmark = pytest.mark.slow


def test_every_district_page_tells_one_story_on_real_bps_imports(merged):  # noqa: F811
    ds, dirs = merged
    # the import really landed: the poverty table the pages read is BPS's, not the demo's
    from ucj.data.dataset import table_synthetic_status

    assert table_synthetic_status(ds.info["poverty"])[0] == "real"
    problems = every_district_problems(ds, dirs, "id")
    assert problems == [], problems[:20]
