"""The 514-district page check in English, in a file of its own so that `--dist loadfile` runs it on another
worker than the Indonesian one (each takes minutes)."""

import pytest

from test_pages_one_story import test_every_district_page_tells_one_story as _every_page

pytestmark = pytest.mark.slow


def test_every_district_page_tells_one_story_en(demo_ds, demo_dir):
    _every_page(demo_ds, demo_dir, "en")
