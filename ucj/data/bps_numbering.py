"""BPS district numbering: which district each 4-digit BPS code (7501) is, as a Kemendagri code (75.02).

BPS and Kemendagri number kab/kota differently in 169 of 514 cases (BPS 7501 is Kabupaten Boalemo, Kemendagri
75.01 is Kabupaten Gorontalo), so an undotted code is only read where the two numberings agree
(ucj.data.registry). The table ships as a snapshot, `ucj/resources/bps_codes.json`, written by
`python -m ucj.data.bps_numbering RAW_DIR` from two public lists (../shared/data/raw, SOURCES.md):

- the current numbering: the `vervar` of a BPS WebAPI answer (var 624, 2025; 2023+ Papua provinces);
- the numbering before the 2022 Papua split: BPS's Master File Desa list of 2018 (edwardsamuel/Wilayah-
  Administratif-Indonesia, ODbL-1.0), for codes the current numbering no longer uses (9401 Merauke).

Each BPS name is resolved with its province prefix (Registry.resolve_bps); a code that would mean two districts
in the two vintages is refused when the snapshot is written (none does).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

WEBAPI = Path("bps_webapi_rasyidarfan") / "Garis Kemiskinan.json"
MFD_2018 = Path("wilayah_bps_edwardsamuel") / "regencies.csv"
SOURCE = ("BPS WebAPI var 624 (2025) vervar, via Rasyidarfan/CekKemiskinanByPengeluaran; BPS MFD 2018 regencies, "
          "via edwardsamuel/Wilayah-Administratif-Indonesia (ODbL-1.0)")


def crosswalk_from_raw(raw_dir: str | Path) -> dict[str, str]:
    """{BPS 4-digit district code: Kemendagri code} from the two public lists in `raw_dir` (current numbering first)."""
    from ucj.data.registry import load_registry

    reg = load_registry()
    raw = Path(raw_dir)
    doc = json.loads((raw / WEBAPI).read_text(encoding="utf-8"))
    rows = [(str(v["val"]), str(v["label"])) for v in doc["vervar"] if not str(v["val"]).endswith("00")]
    with open(raw / MFD_2018, newline="", encoding="utf-8") as fh:
        rows += [(r[0].strip(), r[2].strip()) for r in csv.reader(fh) if r]
    out: dict[str, str] = {}
    for code, name in rows:
        kemendagri = reg.resolve_bps(code, name)
        if out.setdefault(code, kemendagri) != kemendagri:
            raise ValueError(f"BPS {code} is {out[code]} in one list and {kemendagri} in the other")
    return dict(sorted(out.items()))


def provinces_from_raw(raw_dir: str | Path) -> dict[str, str]:
    """{BPS 2-digit province code: Kemendagri province code} from the WebAPI answer's province rows (the 2023+
    numbering: BPS 94 is Papua, Kemendagri 94 Papua Tengah)."""
    from ucj.data.registry import load_registry

    reg = load_registry()
    doc = json.loads((Path(raw_dir) / WEBAPI).read_text(encoding="utf-8"))
    return dict(sorted((str(v["val"])[:2], reg.resolve_province(str(v["label"])))
                       for v in doc["vervar"] if str(v["val"]).endswith("00")))


def load_crosswalk() -> dict[str, str]:
    """The shipped snapshot: {BPS 4-digit code: Kemendagri code}."""
    from ucj.data.registry import load_bps_codes

    return load_bps_codes()


if __name__ == "__main__":  # python -m ucj.data.bps_numbering RAW_DIR: rewrite the snapshot
    import sys

    from ucj.core.files import write_json

    raw_dir = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/raw"
    codes, provinces = crosswalk_from_raw(raw_dir), provinces_from_raw(raw_dir)
    from ucj.data.registry import BPS_SNAPSHOT

    target = Path(__file__).resolve().parents[1] / "resources" / BPS_SNAPSHOT
    write_json(target, {"source": SOURCE, "codes": codes, "provinces": provinces})
    print(f"wrote {target.name}: {len(codes)} BPS codes")
