"""The region model (loopbrug/region/) and its data: aliases.csv and desks.yml."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from loopbrug.region import Gemeente, desks_text, get_region_model

ROOT = Path(__file__).resolve().parents[2]
REGIONS = ROOT / "data" / "regions"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def read_csv(name: str) -> list[dict[str, str]]:
    with (REGIONS / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


GEMEENTEN = {r["gemeente_code"]: r for r in read_csv("gemeenten.csv")}
DESKS = yaml.safe_load((REGIONS / "desks.yml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def model():
    return get_region_model()


def codes(match) -> set[str]:
    return {g.code for g in match.candidates}


# ---- loading -----------------------------------------------------------------------------


def test_import_reads_no_files():
    """Importing the module (as the action server does) must not touch data/regions."""
    probe = """
import builtins, pathlib
seen = []
real_open, real_path_open = builtins.open, pathlib.Path.open
def spy(file, *args, **kwargs):
    if "regions" in str(file):
        seen.append(str(file))
    return real_open(file, *args, **kwargs)
def path_spy(self, *args, **kwargs):
    if "regions" in str(self):
        seen.append(str(self))
    return real_path_open(self, *args, **kwargs)
builtins.open, pathlib.Path.open = spy, path_spy
import loopbrug.region as region
assert region.get_region_model.cache_info().currsize == 0, "model loaded on import"
assert not seen, seen
print("ok")
"""
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_model_is_cached(model):
    assert get_region_model() is model


def test_regions_are_the_35_from_the_table(model):
    expected = {r["arbeidsmarktregio"] for r in GEMEENTEN.values()}
    assert len(expected) == 35
    assert model.regions() == sorted(expected)


# ---- every gemeente and every postcode ---------------------------------------------------


def test_every_gemeente_resolves_by_official_name(model):
    wrong = []
    for code, row in GEMEENTEN.items():
        match = model.resolve(row["gemeente"])
        if match.status != "found" or match.gemeente.code != code:
            wrong.append((row["gemeente"], match.status, match.candidates))
        elif match.gemeente.arbeidsmarktregio != row["arbeidsmarktregio"]:
            wrong.append((row["gemeente"], match.gemeente.arbeidsmarktregio))
    assert wrong == []


def test_every_pc4_resolves_to_its_region(model):
    wrong = []
    for row in read_csv("pc4_gemeente.csv"):
        match = model.resolve(row["pc4"])
        expected = GEMEENTEN[row["gemeente_code"]]["arbeidsmarktregio"]
        if match.status != "found" or match.gemeente.arbeidsmarktregio != expected:
            wrong.append((row["pc4"], match.status))
    assert wrong == []


def test_gemeente_lookup_by_code_and_name(model):
    assert model.gemeente("GM0363").name == "Amsterdam"
    assert model.gemeente("gm0363").name == "Amsterdam"
    assert model.gemeente("sudwest-fryslan").code == "GM1900"
    assert model.gemeente("Bergen (NH.)").code == "GM0373"
    assert model.gemeente("Atlantis") is None


@pytest.mark.parametrize(
    "code, shown",
    [
        ("GM0373", "Bergen (Noord-Holland)"),  # CBS suffix replaced by the province
        ("GM0893", "Bergen (Limburg)"),
        ("GM0164", "Hengelo (Overijssel)"),
        ("GM0518", "Den Haag"),  # what people call 's-Gravenhage
        ("GM0363", "Amsterdam"),  # no suffix: unchanged
    ],
)
def test_display_name(model, code, shown):
    assert model.gemeente(code).display_name == shown


# ---- names, aliases, sentences -----------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("Den Haag", "GM0518"),  # woonplaats of 's-Gravenhage
        ("den haag", "GM0518"),  # case does not matter
        ("'s Gravenhage", "GM0518"),  # official name, other punctuation
        ("s-gravenhage", "GM0518"),  # without apostrophe
        ("Scheveningen", "GM0518"),  # district alias
        ("Den Bosch", "GM0796"),  # everyday name of 's-Hertogenbosch
        ("s-hertogenbosch", "GM0796"),  # without apostrophe
        ("Adam", "GM0363"),  # short form
        ("A'dam", "GM0363"),
        ("R'dam", "GM0599"),
        ("Alphen a/d Rijn", "GM0484"),  # abbreviation
        ("Alphen aan de Rijn", "GM0484"),  # de/den
        ("Capelle a/d IJssel", "GM0502"),
        ("Krimpen a/d IJssel", "GM0542"),
        ("Ljouwert", "GM0080"),  # Frisian name of Leeuwarden
        ("Snits", "GM1900"),  # Frisian name of Sneek
        ("Harns", "GM0072"),  # Frisian name of Harlingen
        ("It Hearrenfean", "GM0074"),  # Frisian name of Heerenveen
        ("Boalsert", "GM1900"),  # Frisian name of Bolsward
        ("Frjentsjer", "GM1949"),  # Frisian name of Franeker
        ("Drachten", "GM0090"),  # woonplaats in Smallingerland
        ("Dokkum", "GM1970"),  # woonplaats in Noardeast-Fryslân
        ("Menameradiel", "GM1949"),  # former gemeente, now Waadhoeke
        ("Sudwest-Fryslan", "GM1900"),  # without diacritics
        ("Middelburg", "GM0687"),  # bare name of Middelburg (Z.), not ambiguous
        ("Hengelo Overijssel", "GM0164"),  # bare name plus province
        ("Bergen (NH.)", "GM0373"),  # official name with suffix
        ("St. Michielsgestel", "GM0845"),  # St. -> Sint
        ("Weesp", "GM0363"),  # merged into Amsterdam in 2023
        ("gemeente Westland", "GM1783"),  # filler word
        ("ik woon in de bilt", "GM0310"),  # filler, and "de" belongs to the name
        ("woonachtig te Utrecht", "GM0344"),
        ("in de buurt van Utrecht", "GM0344"),  # province name, but also the gemeente
        ("ik woon sinds kort in zwolle en zoek werk", "GM0193"),  # place inside a sentence
        ("ik woon in Zoetermeer maar werk in Den Haag", "GM0637"),  # the place after "woon"
        ("Hoorn", "GM0405"),  # the gemeente Hoorn beats the village on Terschelling
        ("Best", "GM0753"),  # capitalised: the place
        ("ik woon in Best", "GM0753"),
    ],
)
def test_names_are_found(model, text, code):
    match = model.resolve(text)
    assert (match.status, match.gemeente.code) == ("found", code)
    assert match.query == text


@pytest.mark.parametrize(
    "alias, code",
    [(r["alias"], r["gemeente_code"]) for r in read_csv("aliases.csv")],
)
def test_every_alias_points_to_an_existing_gemeente(model, alias, code):
    assert code in GEMEENTEN
    match = model.resolve(alias)
    # An alias may be ambiguous on purpose (Alphen, Krimpen, Hengelo); then it is a candidate.
    assert match.status in {"found", "choose", "confirm"} and code in codes(match)


def test_ambiguous_bare_names_have_no_single_alias():
    """Aliases for suffixed gemeenten only where the bare name is not ambiguous."""
    aliases = {(r["alias"], r["gemeente_code"]) for r in read_csv("aliases.csv")}
    for bare in ("Bergen", "Beek", "Laren", "Rijswijk"):
        assert not any(alias == bare for alias, _ in aliases)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("bergen", {"GM0373", "GM0893"}),  # Bergen (NH.) and Bergen (L.)
        ("Beek", {"GM0888", "GM1945", "GM1955"}),  # Beek (L.), Beek in Berg en Dal, Montferland
        ("Laren", {"GM0417", "GM0262"}),  # Laren (NH.) and Laren in Lochem
        ("Hengelo", {"GM0164", "GM1876"}),  # Hengelo (O.) and Hengelo (Gld) in Bronckhorst
        ("Rijswijk", {"GM0603", "GM0214", "GM1959"}),  # ZH., and villages in Buren and Altena
        ("Alphen", {"GM0484", "GM1723", "GM0668"}),  # Alphen aan den Rijn and two villages
        ("Krimpen", {"GM0542", "GM1931"}),  # a/d IJssel or a/d Lek
        ("Haren", {"GM0014", "GM0828"}),  # Haren (Groningen) and Haren (Oss)
        ("ik woon in Bergen", {"GM0373", "GM0893"}),  # also after a filler
        ("ik kom uit groningen maar woon nu in utrecht", {"GM0014", "GM0344"}),  # two places
    ],
)
def test_ambiguous_names_ask_back(model, text, expected):
    match = model.resolve(text)
    assert match.status == "choose" and match.gemeente is None
    assert codes(match) == expected


def test_same_named_gemeente_wins_but_keeps_alternatives(model):
    match = model.resolve("Hoorn")
    assert match.gemeente.code == "GM0405" and "GM0093" in codes(match)  # Terschelling


@pytest.mark.parametrize(
    "text, code",
    [
        ("best", "GM0753"),  # lower case: probably the word "best"
        ("adam", "GM0363"),  # lower case short form: also a first name
        ("Zeeland", "GM1991"),  # village in Maashorst, but usually the province
        ("Zurich", "GM1900"),  # village in Súdwest-Fryslân, but usually the Swiss city
    ],
)
def test_doubtful_exact_names_are_confirmed(model, text, code):
    match = model.resolve(text)
    assert (match.status, match.gemeente.code) == ("confirm", code)


# ---- typos ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, code",
    [
        ("Zwole", "GM0193"),
        ("Amsterdm", "GM0363"),
        ("Rotterdan", "GM0599"),
        ("Groningn", "GM0014"),  # not Groeningen (Land van Cuijk)
        ("Eindhovn", "GM0772"),
        ("ik woon in zwole", "GM0193"),
        ("Utrect", "GM0344"),
        ("Apeldorn", "GM0200"),
        ("Leeuwaarden", "GM0080"),
        ("Nijmegn", "GM0268"),
        ("Tilbrug", "GM0855"),  # swapped letters
        ("Bergen op Zom", "GM0748"),
        ("ik woon in amsterdm en zoek werk", "GM0363"),  # typo inside a sentence
    ],
)
def test_typos_find_or_confirm_the_right_gemeente(model, text, code):
    match = model.resolve(text)
    assert match.status in {"found", "confirm"}, match
    assert match.gemeente.code == code and match.via == "fuzzy"


def test_short_typos_are_only_confirmed(model):
    assert model.resolve("Zwole").status == "confirm"  # five letters: too short to be sure
    assert model.resolve("Amsterdm").status == "found"  # long, one letter off, no rival


# ---- postcodes -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["3511AB", "3511 AB", "3511 ab", "3511", " 3511ab ", "mijn postcode is 3511 AB",
     "postcode 3511", "3511 AB Utrecht", "ik woon in 3511"],
)  # fmt: skip
def test_postcode_formats(model, text):
    match = model.resolve(text)
    assert (match.status, match.via, match.gemeente.code) == ("found", "postcode", "GM0344")


@pytest.mark.parametrize(
    "text, status",
    [
        ("1099", "unknown_postcode"),  # four digits, not in the PC4 table
        ("1000 AB", "unknown_postcode"),  # PO-box range, not in the table
        ("351", "not_a_postcode"),  # too short
        ("35111", "not_a_postcode"),  # too long
        ("0123", "not_a_postcode"),  # Dutch postcodes do not start with 0
        ("0123 AB", "not_a_postcode"),
        ("3511 A", "not_a_postcode"),  # one letter
        ("3511 ABC", "not_a_postcode"),  # three letters
        ("2500 euro", "not_a_postcode"),  # an amount
        ("€2500", "not_a_postcode"),
    ],
)
def test_bad_postcodes(model, text, status):
    match = model.resolve(text)
    assert match.status == status and match.gemeente is None


def test_number_in_a_sentence_is_not_a_postcode(model):
    assert model.resolve("sinds 2020 woon ik in Zwolle").gemeente.code == "GM0193"
    assert model.resolve("ik verdien 2500 euro per maand").status == "unknown"


# ---- unknown -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Antwerpen",  # foreign cities never fuzzy-match a Dutch place
        "Berlijn",
        "Londen",  # close to Loenen, still unknown
        "Gent",  # close to Gendt, still unknown
        "ik woon in Antwerpen",
        "Nederland",  # not the hamlet Nederland in Steenwijkerland
        "ik ben nieuw in nederland",
        "Achterhoek",  # a region, not a place
        "Noord-Holland",  # a province
        "asdfgh",
        "hallo",  # near the village Hall, but a greeting
        "Bergn",  # nearer to the word "bergen" than to any other place
        "ik woon in een flat",  # "een" is also a village (Een)
        "Ik ben Adam",  # a first name, not Amsterdam
        "ik wil echt iets anders",  # "echt" is also a village (Echt)
        "ik zoek werk in de zorg",
        "",
        "   ",
    ],
)
def test_unknown(model, text):
    match = model.resolve(text)
    assert (match.status, match.gemeente, match.candidates, match.via) == ("unknown", None, (), "")


# ---- desks ---------------------------------------------------------------------------------


def test_every_region_has_a_desks_entry():
    expected = {r["arbeidsmarktregio"] for r in GEMEENTEN.values()}
    assert set(DESKS["regions"]) == expected


@pytest.mark.parametrize(
    "gemeente, url",
    [
        ("GM0222", "https://opijver.nl"),  # Doetinchem, Achterhoek
        ("GM0153", "https://twente.lerenenwerken.nl"),  # Enschede, Twente
        ("GM0202", "https://middengelderland.leerwerkloket.nl"),  # Arnhem
        ("GM0772", "https://zuidoostbrabant.leerwerkloket.nl"),  # Eindhoven
    ],
)
def test_verified_regional_leerwerkloket(model, gemeente, url):
    desks = model.desks_for(model.gemeente(gemeente))
    assert desks[0].kind == "leerwerkloket" and desks[0].url == url


def test_opijver_for_achterhoek_only(model):
    achterhoek = model.desks_for(model.gemeente("Doetinchem"))
    opijver = [d for d in achterhoek if d.name.startswith("Opijver")]
    assert len(opijver) == 1 and "2.500" in opijver[0].note and opijver[0].status == "active"
    assert opijver[0].checked == "2026-02-13"
    assert not any(d.name.startswith("Opijver") for d in model.desks_for(model.gemeente("Zwolle")))


def test_brabant_leert_in_the_five_brabant_regions(model):
    for region in ("Noordoost-Brabant", "West-Brabant", "Midden-Brabant", "Helmond-De Peel",
                   "Zuidoost-Brabant"):  # fmt: skip
        assert any(d["name"] == "Brabant Leert" for d in DESKS["regions"][region])


def test_unverified_lokets_have_no_name_or_url():
    for region, entries in DESKS["regions"].items():
        for entry in entries:
            if entry["kind"] == "leerwerkloket" and entry["status"] == "unknown":
                assert entry["name"] is None and entry["url"] is None, region


def test_werkcentrum_rijnmond_replaces_the_national_site(model):
    desks = model.desks_for(model.gemeente("Rotterdam"))
    werkcentra = [d for d in desks if d.kind == "werkcentrum"]
    assert [d.url for d in werkcentra] == ["https://www.werkcentrumrijnmond.nl"]
    zwolle = model.desks_for(model.gemeente("Zwolle"))
    assert [d.url for d in zwolle if d.kind == "werkcentrum"] == ["https://www.werkcentrum.nl"]


def test_desks_for_every_gemeente(model):
    """National finder everywhere, regional desks first, and every fact sourced and dated."""
    kinds = {"leerwerkloket", "werkcentrum", "fonds", "uwv", "gemeente", "geldhulp", "finder"}
    for code in GEMEENTEN:
        gemeente = model.gemeente(code)
        desks = model.desks_for(gemeente)
        assert [d.kind for d in desks].count("finder") == 1
        assert f"Gemeente {gemeente.display_name}" in [d.name for d in desks]
        first_national = next(i for i, d in enumerate(desks) if d.kind == "gemeente")
        assert all(d.kind in {"leerwerkloket", "werkcentrum", "fonds"}
                   for d in desks[:first_national])  # fmt: skip
        for d in desks:
            assert d.kind in kinds and d.name and d.source and ISO_DATE.match(d.checked)
            assert d.status in {"active", "unknown", "ended"}


def test_desks_have_no_invented_phone_numbers():
    text = (REGIONS / "desks.yml").read_text(encoding="utf-8")
    assert set(re.findall(r"\b0\d{2,3}[- ]?\d{4,7}\b", text)) == {"0800-8115"}  # Geldfit only


def test_geldfit_and_gemeente_facts(model):
    desks = {d.kind: d for d in model.desks_for(model.gemeente("Utrecht"))}
    assert "0800-8115" in desks["geldhulp"].note and desks["geldhulp"].url
    assert "4 weken" in desks["gemeente"].note and "3 dagen" in desks["gemeente"].note
    assert desks["uwv"].url == "https://www.werk.nl"


def test_desks_are_plain_values(model):
    desk = model.desks_for(Gemeente("GM0222", "Doetinchem", "Gelderland", "Achterhoek"))[0]
    with pytest.raises(AttributeError):
        desk.name = "x"  # frozen dataclass


def test_every_gemeente_gets_a_desks_answer():
    """Every desk kind shown has its purpose text (data/texts/nl/region.yml)."""
    for code in GEMEENTEN:
        lines = desks_text(code).splitlines()
        assert len(lines) >= 4 and all(line.startswith("- ") for line in lines[1:])


# ---- where the region model lives ------------------------------------------------------------
