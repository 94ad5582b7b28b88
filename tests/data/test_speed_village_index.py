"""The compact village index a report reads (villages_in) lists each district's villages exactly as the
full registry does (VillageRegistry.in_district: same villages, kecamatan and order), for all 514."""

from __future__ import annotations

from ucj.data.villages import load_villages, villages_in


def test_village_index_equals_the_registry_for_every_district() -> None:
    registry = load_villages()
    districts = sorted({v.district_code for v in registry._villages})  # noqa: SLF001 - every district that has villages
    assert len(districts) == 514
    for code in districts:
        assert villages_in(code) == registry.in_district(code), code
    assert sum(len(villages_in(c)) for c in districts) == len(registry) == 83762
    assert villages_in("99.99") == []
    minahasa = villages_in("71.02")
    assert minahasa and all(v.kecamatan for v in minahasa) and {v.kind for v in minahasa} <= {"desa", "kelurahan"}
