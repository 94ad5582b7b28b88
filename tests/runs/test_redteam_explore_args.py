"""`ucj explore` checks its data folders and district before a server starts (red team: a missing folder
started the server, whose page then said in mixed languages that it could not read the data)."""

import psutil
from typer.testing import CliRunner

from ucj.cli import app


def _children() -> int:
    return len(psutil.Process().children(recursive=True))


def test_a_missing_data_folder_or_unknown_district_is_one_line_and_starts_nothing(tmp_path, demo_dir):
    before = _children()
    said = CliRunner().invoke(app, ["explore", "--data-dir", str(tmp_path / "nope"), "--port", "18999"])
    assert said.exit_code == 2 and "nope: data folder not found" in said.output
    said = CliRunner().invoke(app, ["explore", "--data-dir", str(demo_dir), "--district", "Atlantis",
                                    "--port", "18999"])
    assert said.exit_code == 2 and "unknown district" in said.output
    assert _children() == before
