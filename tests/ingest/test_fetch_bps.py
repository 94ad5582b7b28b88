"""`ucj fetch bps`, run in-process the way a planner types it, with the BPS WebAPI replaced by recorded
answers (httpx.MockTransport; no network). The real recorded answer in ../shared is replayed end to end
and its cells are read again here, independently of the importer."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import logging
import re
from pathlib import Path

import httpx
import pandas as pd
import pytest
from typer.testing import CliRunner

from conftest import RAW, WEBAPI_JSON
from ucj.cli import app
from ucj.ingest import fetch_bps as fb

KEY = "0123456789abcdef0123456789abcdef"  # the shape of a WebAPI key; a test value, never a real one
REAL = WEBAPI_JSON.read_bytes()
GK_PATH = f"/v1/api/list/model/data/lang/ind/domain/0000/var/624/th/125/key/{KEY}/"


def _json(doc: object, status: int = 200, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.Response(status, content=json.dumps(doc).encode(), headers={"content-type": "application/json",
                                                                             **(headers or {})})


class Replay:
    """A recorded WebAPI: answers by (var, year) from a script; records requests and sleeps."""

    def __init__(self, answers: dict[tuple[int, int], list[object]]):
        self.answers = {k: list(v) for k, v in answers.items()}
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        m = re.search(r"/var/(\d+)/th/(\d+)/key/([^/]+)/$", request.url.path)
        assert m, request.url.path
        assert m.group(3) == KEY  # the key travels in the path, as the WebAPI takes it
        script = self.answers[(int(m.group(1)), int(m.group(2)) + 1900)]
        answer = script.pop(0) if len(script) > 1 else script[0]
        if callable(answer):
            return answer(request)
        if isinstance(answer, bytes):
            return httpx.Response(200, content=answer, headers={"content-type": "application/json"})
        assert isinstance(answer, httpx.Response)
        return answer


@pytest.fixture
def replay(monkeypatch):
    def install(answers: dict[tuple[int, int], list[object]]) -> Replay:
        r = Replay(answers)
        monkeypatch.setattr(fb, "TRANSPORT", httpx.MockTransport(r))
        monkeypatch.setattr(fb, "SLEEP", r.sleeps.append)
        return r

    monkeypatch.setenv("UCJ_BPS_KEY", KEY)
    return install


def _run(tmp_path: Path, *args: str):
    out, raw = tmp_path / "processed", tmp_path / "raw"
    result = CliRunner().invoke(app, ["fetch", "bps", *args, "--out", str(out), "--raw-dir", str(raw)])
    return result, out, raw


def _one_line_error(result, exit_code: int = 2) -> str:
    assert result.exit_code == exit_code, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.stderr.splitlines() if line.strip() and not line.startswith(("fetched var ", "debug: "))]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr  # beside progress lines, one line
    return lines[0]


def _no_key_anywhere(tmp_path: Path, *texts: str) -> None:
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
    for text in texts:
        assert KEY not in text


def test_fetch_replays_the_real_recorded_response_end_to_end(tmp_path, replay):
    """fetch -> raw file kept byte for byte with URL (no key), time and sha256 -> imported -> every imported
    poverty line equals the answer's datacontent cell, read here straight from the JSON."""
    api = replay({(624, 2025): [REAL]})
    before = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    result, out, raw = _run(tmp_path, "--indicator", "poverty_line", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert [r.url.path for r in api.requests] == [GK_PATH]  # year 2025 is period id 125, as in the answer
    saved = sorted(raw.glob("*.json"))
    data_file = next(p for p in saved if not p.name.endswith(".meta.json"))
    meta = json.loads((raw / (data_file.name + ".meta.json")).read_text())
    assert data_file.read_bytes() == REAL
    assert meta["sha256"] == hashlib.sha256(REAL).hexdigest() == hashlib.sha256(WEBAPI_JSON.read_bytes()).hexdigest()
    assert meta["url"] == "https://webapi.bps.go.id" + GK_PATH.replace(KEY, "KEY-REMOVED")
    at = dt.datetime.fromisoformat(meta["retrieved_at"])
    assert before <= at <= dt.datetime.now(dt.timezone.utc) and at.utcoffset() == dt.timedelta(0)

    doc = json.loads(WEBAPI_JSON.read_text(encoding="utf-8"))  # an independent read of the answer
    cells = {int(v["val"]): doc["datacontent"][f"{v['val']}624" "0" "125" "0"] for v in doc["vervar"]
             if not str(v["val"]).endswith("00")}
    table = pd.read_parquet(out / "poverty.parquet")
    got = table[table["year"] == 2025].set_index("district_code")["poverty_line_rp"]
    assert len(got) == len(cells) == 514
    assert sorted(got.tolist()) == sorted(float(v) for v in cells.values())
    # District by district, through the Ministry's own list of names and codes (../shared), not the registry.
    with open(RAW / "wilayah_kemendagri_idn_area_data" / "regencies.csv", encoding="utf-8") as fh:
        codes: dict[str, list[str]] = {}
        for row in csv.DictReader(fh):
            codes.setdefault(row["name"].removeprefix("Kabupaten ").lower(), []).append(row["code"])
    labels = {int(v["val"]): re.sub(r"<[^>]+>", "", v["label"]).lower() for v in doc["vervar"]}
    matched = {bps: codes[labels[bps]][0] for bps in cells if len(codes.get(labels[bps], [])) == 1}
    assert len(matched) > 450
    assert {code: got[code] for code in matched.values()} == {code: float(cells[bps]) for bps, code in matched.items()}
    assert got["75.02"] == 560482  # Boalemo (BPS 7501), the key 750162401250 of the answer

    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["imports"][-1]["inputs"] == [{"file": data_file.name, "sha256": meta["sha256"], "encoding": "utf-8"}]
    _no_key_anywhere(tmp_path, result.stdout, result.stderr)


def test_a_key_file_readable_by_others_is_refused_and_one_of_the_owner_is_used(tmp_path, replay, monkeypatch):
    replay({(624, 2025): [REAL]})
    monkeypatch.delenv("UCJ_BPS_KEY")
    key_file = tmp_path / "conf" / "bps.key"
    key_file.parent.mkdir()
    key_file.write_text(KEY + "\n")
    monkeypatch.setenv("UCJ_BPS_KEY_FILE", str(key_file))
    key_file.chmod(0o644)
    line = _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])
    assert "can be read by others" in line and "chmod 600" in line
    key_file.chmod(0o600)
    result, out, _ = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert (out / "poverty.parquet").exists()
    _no_key_anywhere(tmp_path / "processed", result.output)


def test_no_key_says_where_to_put_it(tmp_path, replay, monkeypatch):
    replay({(624, 2025): [REAL]})
    monkeypatch.delenv("UCJ_BPS_KEY")
    monkeypatch.setenv("UCJ_BPS_KEY_FILE", str(tmp_path / "missing.key"))
    line = _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])
    assert "UCJ_BPS_KEY" in line and "missing.key" in line


def test_the_key_is_never_taken_from_the_command_line(tmp_path, replay):
    replay({(624, 2025): [REAL]})
    result, _, _ = _run(tmp_path, "-i", "poverty_line", "--year", "2025", "--key", KEY)
    assert result.exit_code == 2 and "No such option" in result.output


def test_retries_5xx_with_backoff_then_imports(tmp_path, replay):
    api = replay({(624, 2025): [httpx.Response(503), httpx.Response(502), REAL]})
    result, out, _ = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert len(api.requests) == 3 and api.sleeps == [1.0, 2.0]  # doubling waits, no real sleeping
    assert (out / "poverty.parquet").exists()


def test_429_waits_as_long_as_retry_after_says(tmp_path, replay):
    api = replay({(624, 2025): [httpx.Response(429, headers={"Retry-After": "7"}), REAL]})
    result, _, _ = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert api.sleeps == [7.0]


def test_429_with_an_http_date_retry_after(tmp_path):
    now = dt.datetime(2026, 12, 4, 5, 0, 0, tzinfo=dt.timezone.utc)
    api = Replay({(624, 2025): [httpx.Response(429, headers={"Retry-After": "Fri, 04 Dec 2026 05:00:30 GMT"}), REAL]})
    done = fb.fetch_bps(["poverty_line"], [], [2025], out=tmp_path / "p", raw_dir=tmp_path / "r", key=KEY,
                        transport=httpx.MockTransport(api), sleep=api.sleeps.append, now=lambda: now)
    assert api.sleeps == [30.0] and len(done.saved) == 1
    assert json.loads(Path(str(done.saved[0][1]) + ".meta.json").read_text())["retrieved_at"] == "2026-12-04T05:00:00+00:00"


def test_a_retry_after_beyond_two_minutes_is_reported_not_slept(tmp_path, replay):
    api = replay({(624, 2025): [httpx.Response(429, headers={"Retry-After": "3600"})]})
    line = _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])
    assert "HTTP 429" in line and "3600 s" in line and api.sleeps == []


def test_a_server_that_keeps_failing_gives_one_line_and_writes_nothing(tmp_path, replay):
    api = replay({(624, 2025): [httpx.Response(500)]})
    result, out, raw = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    line = _one_line_error(result)
    assert "HTTP 500" in line and "4 tries" in line and "KEY-REMOVED" in line
    assert len(api.requests) == fb.RETRIES + 1 and api.sleeps == [1.0, 2.0, 4.0]  # 7 s of waiting in all
    assert not out.exists() and not raw.exists()


def test_offline(tmp_path, replay):
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"[Errno -3] Temporary failure in name resolution for {request.url}",
                                 request=request)

    api = replay({(624, 2025): [refuse]})
    result, out, raw = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    line = _one_line_error(result)
    assert line.startswith("error: cannot reach webapi.bps.go.id (offline")
    assert len(api.requests) == 1 and api.sleeps == []  # no retry: a failed connection fails at once
    assert not out.exists() and not raw.exists()
    _no_key_anywhere(tmp_path, result.output)  # the transport's message held the full URL, key included


def test_a_server_that_never_answers_times_out_and_is_retried(tmp_path, replay):
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    api = replay({(624, 2025): [slow, slow, REAL]})
    result, out, _ = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    assert result.exit_code == 0, result.output
    assert api.sleeps == [1.0, 2.0] and (out / "poverty.parquet").exists()
    api = replay({(624, 2025): [slow]})
    assert "did not answer in time (30 s), 4 tries" in _one_line_error(_run(tmp_path / "again", "-i", "poverty_line",
                                                                            "--year", "2025")[0])


def test_a_refused_key_http_401(tmp_path, replay):
    api = replay({(624, 2025): [httpx.Response(401, text="Unauthorized")]})
    line = _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])
    assert "refused the key (HTTP 401)" in line and len(api.requests) == 1  # no retry on a refused key


def test_a_refused_key_in_the_answer(tmp_path, replay):
    """The WebAPI also answers a failure as {"status": ..., "message": ...} (the stadata client raises
    res["message"] whenever status is not "OK")."""
    replay({(624, 2025): [_json({"status": "Error", "message": f"Invalid API key {KEY}"})]})
    result, _, _ = _run(tmp_path, "-i", "poverty_line", "--year", "2025")
    line = _one_line_error(result)
    assert "refused the key" in line and KEY not in line and "KEY-REMOVED" in line


def test_an_empty_table(tmp_path, replay):
    replay({(624, 2026): [_json({"status": "OK", "data-availability": "list-not-available"})]})
    line = _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2026")[0])
    assert "var 624 (poverty_line) 2026 with an empty table" in line and "list-not-available" in line


def test_an_empty_datacontent(tmp_path, replay):
    doc = json.loads(REAL)
    doc["datacontent"] = {}
    replay({(624, 2025): [_json(doc)]})
    line = _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])
    assert "with an empty table" in line


@pytest.mark.parametrize("edit, says", [
    (lambda d: d.pop("vervar"), "unexpected shape at 'vervar'"),
    (lambda d: d.__setitem__("tahun", [{"val": 124, "label": "2024"}]), "with other years (2024)"),
    (lambda d: d["var"][0].__setitem__("val", 621), "with another variable (621)"),
], ids=["no vervar", "another year", "another variable"])
def test_an_unexpected_shape(tmp_path, replay, edit, says):
    doc = json.loads(REAL)
    edit(doc)
    replay({(624, 2025): [_json(doc)]})
    assert says in _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])


def test_not_json(tmp_path, replay):
    replay({(624, 2025): [httpx.Response(200, text="<html>maintenance</html>", headers={"content-type": "text/html"})]})
    assert "not JSON (text/html)" in _one_line_error(_run(tmp_path, "-i", "poverty_line", "--year", "2025")[0])


def test_all_or_nothing_when_one_answer_does_not_import(tmp_path, replay):
    """Two tables asked; the second answer is a table but one of its cells is text: nothing is imported
    (the first table is not left imported alone), and the saved answers stay for a look."""
    bad = json.loads(REAL)
    bad["datacontent"] = {k: v for k, v in bad["datacontent"].items()}
    bad["datacontent"]["750162401250"] = "lima ratus"
    replay({(624, 2025): [REAL], (624, 2024): [_json({**bad, "tahun": [{"val": 125, "label": "2024"}]})]})
    result, out, raw = _run(tmp_path, "-i", "poverty_line", "--year", "2024-2025")
    assert result.exit_code == 2 and "text in a numeric value" in result.output
    assert "nothing was imported (all answers or none)" in result.stderr.splitlines()[-1]
    assert not (out / "poverty.parquet").exists()
    assert len([p for p in raw.glob("*.json") if not p.name.endswith(".meta.json")]) == 2


def test_all_or_nothing_when_one_fetch_fails(tmp_path, replay):
    replay({(624, 2025): [REAL], (621, 2025): [httpx.Response(500)]})
    result, out, raw = _run(tmp_path, "-i", "poverty_line", "--var", "621", "--year", "2025")
    assert "HTTP 500" in _one_line_error(result)
    assert not out.exists() and not raw.exists()


def test_the_key_appears_in_no_file_output_or_log(tmp_path, replay, caplog):
    """With -v and every logger at DEBUG (httpx logs each request's full URL there), after a success and
    after a failure whose answer quotes the URL: the key is in no file written, no output and no log line."""
    caplog.set_level(logging.DEBUG)
    replay({(624, 2025): [httpx.Response(503), REAL],
            (624, 2024): [httpx.Response(404, text=f"no route {GK_PATH}")]})
    ok, _, _ = _run(tmp_path, "-v", "-i", "poverty_line", "--year", "2025")
    assert ok.exit_code == 0, ok.output
    failed, _, _ = _run(tmp_path / "second", "-v", "-i", "poverty_line", "--year", "2024")
    assert "HTTP 404" in _one_line_error(failed)
    logged = caplog.text + "\n".join(r.getMessage() + str(r.args) for r in caplog.records)
    _no_key_anywhere(tmp_path, ok.stdout, ok.stderr, failed.stdout, failed.stderr, logged)
    assert any(p.name.endswith(".meta.json") for p in tmp_path.rglob("*"))  # files were written and searched


def test_indicators_without_a_confirmed_id_are_refused_by_name(tmp_path, replay):
    replay({})
    line = _one_line_error(_run(tmp_path, "-i", "tpt", "--year", "2024")[0])
    assert "no BPS kab/kota table id for tpt" in line and "--var" in line
    assert "unknown indicator 'gini'" in _one_line_error(_run(tmp_path, "-i", "gini", "--year", "2024")[0])


def test_all_names_every_confirmed_table_once():
    """'all' is P0, P1, P2, the number of poor and the poverty line; a --var already named is asked once."""
    assert [v for _, v in fb._targets(["all"], [624, 999])] == [621, 622, 623, 619, 624, 999]


def test_parse_years():
    assert fb.parse_years(["2021-2023", "2025", "2024,2025"]) == [2021, 2022, 2023, 2024, 2025]
    for bad in ("25", "2025-2021", "1890"):
        with pytest.raises(fb.FetchError):
            fb.parse_years([bad])


def _answer_from_long_table(var: int, title: str, column: str, year: int) -> tuple[bytes, dict[str, float]]:
    """A WebAPI answer for `var`, laid out as the recorded one (its regions, codes and key scheme), filled
    with the real values of `column` from the BPS long table in ../shared (bps_muhlis000), matched by the
    district's name where the name is unique in both. Returns the answer and the expected values by
    Kemendagri code (the long table's own code column, not the workbook's registry)."""
    doc = json.loads(REAL)
    with open(RAW / "bps_muhlis000" / "kemiskinan_kabkota_2024_2025.csv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if int(r["tahun"]) == year]
    by_name: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_name.setdefault(r["nama_kab"].strip().lower(), []).append(r)
    labels = [(int(v["val"]), re.sub(r"<[^>]+>", "", v["label"]).strip().lower()) for v in doc["vervar"]]
    once = {name for _, name in labels if [n for _, n in labels].count(name) == 1}
    content, expected = {}, {}
    for bps, name in labels:
        if str(bps).endswith("00") or name not in once or len(by_name.get(name, [])) != 1:
            continue
        row = by_name[name][0]
        content[f"{bps}{var}0{year - 1900}0"] = float(row[column])
        expected[f"{row['kode_kab'][:2]}.{row['kode_kab'][2:]}"] = float(row[column])
    doc["var"] = [{**doc["var"][0], "val": var, "label": title, "unit": ""}]
    doc["tahun"] = [{"val": year - 1900, "label": str(year)}]
    doc["datacontent"] = content
    return json.dumps(doc).encode(), expected


def test_p1_and_p2_by_name_fill_their_columns(tmp_path, replay):
    """-i p1 -i p2 asks for variables 622 and 623; answers laid out as the recorded one and holding the real
    2025 P1 and P2 of the BPS long table fill poverty.p1 and poverty.p2 district by district."""
    p1, want_p1 = _answer_from_long_table(622, "Indeks Kedalaman Kemiskinan (P1) Menurut Kabupaten/Kota",
                                          "Indeks Kedalaman Kemiskinan (P1)", 2025)
    p2, want_p2 = _answer_from_long_table(623, "Indeks Keparahan Kemiskinan (P2) Menurut Kabupaten/Kota",
                                          "Indeks Keparahan Kemiskinan (P2)", 2025)
    assert len(want_p1) > 450
    replay({(622, 2025): [p1], (623, 2025): [p2]})
    result, out, _ = _run(tmp_path, "-i", "p1", "-i", "p2", "--year", "2025")
    assert result.exit_code == 0, result.output
    table = pd.read_parquet(out / "poverty.parquet").set_index("district_code")
    assert table.loc[list(want_p1), "p1"].to_dict() == want_p1
    assert table.loc[list(want_p2), "p2"].to_dict() == want_p2
    assert table.loc["75.02", ["p1", "p2"]].tolist() == [3.481, 0.929]  # Boalemo 2025, as the long table says
