"""From what someone types to a gemeente: postcodes, place names and near misses.

``Places.resolve("ik woon in zwole")`` returns a :class:`Match`. The data in ``data/regions``
(see SOURCES.md there) is read by :meth:`Places.load`, never on import.

Decisions, so that the bot never states a wrong region as fact:

* Names are compared after :func:`loopbrug.words.fold`: lower case, no diacritics or
  apostrophes, punctuation as spaces, "st" -> "sint", "a/d" and "aan den" -> "aan de".
* A name of several gemeenten gives "choose" (Bergen, Beek, Laren, Rijswijk, Hengelo,
  Alphen, Krimpen). Exception: if one of them is a gemeente with exactly that official name
  (Hoorn, Noordwijk, Oosterhout) it is "found" and the others stay in ``candidates``, so the
  bot can ask "of bedoel je ...?". Woonplaatsen the tables list with a suffix ("Hengelo (Gld)",
  "Rijswijk (NB)", "Haren Gn") also count under their bare name: the suffix exists because
  the bare name is shared.
* Names that are also ordinary words ("best", "echt", "een") or first names ("Adam") count
  inside a sentence only when capitalised after a place cue ("in Best"); alone and in lower
  case they give "confirm". So does a place named like a province or foreign city (Zeeland).
* Fuzzy matches are "found" only for long, clear typos ("Amsterdm"); otherwise "confirm".
  Foreign places, provinces and region names are never fuzzy-matched to a Dutch place.
* A typo inside a longer sentence ("ik kom uit Leeuwaarden, is daar een loket") is "found"
  only when the word is no Dutch word (:func:`loopbrug.words.dutch_words`: the lemma table of
  spacy-lookups-data, the words of our own training examples and ordinary_words.txt), has
  seven letters or more, is one slip away from one place only (``_typo``), and stands where
  a place is expected ("uit", "in", "naar" or "bij" before it). So "terecht" never becomes
  Utrecht. Measured on tests/nlu/place_sentences.yml (tests/unit/test_place_sentences.py).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from loopbrug.settings import ROOT
from loopbrug.words import dutch_words, fold, read_word_list

DATA_DIR = ROOT / "data" / "regions"
# Fuzzy thresholds (rapidfuzz ratio, 0-100): CONFIRM_SCORE to ask "bedoel je ...?";
# FOUND_SCORE, a MARGIN over any other place and MIN_FOUND_LENGTH letters to accept it;
# two places within TIE of each other: ask which.
FOUND_SCORE, CONFIRM_SCORE, MARGIN, MIN_FOUND_LENGTH, TIE = 90.0, 85.0, 8.0, 7, 3.0
SENTENCE_SCORE = 88.0  # a typo inside a longer sentence needs to be this close

# Leading phrases dropped before a lookup (after fold()), tried longest first.
FILLERS = sorted(
    (
        tuple(phrase.split())
        for phrase in "ik woon in|ik woon te|ik woon bij|ik woon|ik kom uit|ik kom van|ik zit in|"
        "ik ben van|woonachtig te|woonachtig in|woonachtig|in de buurt van|in de omgeving van|"
        "buurt van|omgeving|mijn woonplaats is|woonplaats|mijn postcode is|postcode|regio|"
        "vlakbij|nabij|rond|bij|in|uit|te|van|de|het|t|is|dat is|dus|ja|nou|eh|uhm".split("|")
    ),
    key=len,
    reverse=True,
)
CUES = frozenset("in uit te bij nabij vlakbij rond rondom omgeving van naar gemeente regio".split())
STRONG_CUES = frozenset("woonachtig gemeente regio woonplaats omgeving".split())
LIVING = frozenset("woon wonen woont kom kwam verhuisd woonachtig woonplaats adres buurt".split())
AMOUNT_WORDS = frozenset("euro eur per uur jaar maand maanden km procent keer".split())
ARTICLES = frozenset("de den het t s".split())
# Place names that are also ordinary Dutch words or first names (checked against the Dutch
# lemma table of spacy-lookups-data); data/regions/ordinary_words.txt adds to this list.
ORDINARY = frozenset(
    """adam amen baard baars balk beek blije boer broek buren dalen dijken donderen doorn echt
    echten een enter erica gauw gieten glimmen groet handel haren hem hoek hoeven hoorn huizen
    kampen klimmen leiden lies linde loon made monster neer nes putten rekken rijen schijf
    sloten sluis spier tuil veulen vuren waarde wateren wetering winde winkel zetten heel best
    son lent ee wijk mill elst velp goor born horn hall well spui bergen zand veld pol heen
    harde boven lage laag hulst oranje zeeland vries ens oost west noord zuid dam noorden
    zuiden oosten westen hee anderen krimpen overslag tuk wier leunen rijs punt klomp kiel
    groeve moer hoef hoeve steeg lier rijp bult koog""".split()
)
# Never a Dutch place: foreign places and countries, checked before fuzzy matching.
FOREIGN = frozenset(
    """antwerpen brussel gent brugge luik leuven hasselt mechelen oostende aken keulen dusseldorf
    duisburg essen kleef emmerik munster berlijn hamburg munchen londen parijs madrid barcelona
    rome lissabon warschau krakau boekarest sofia istanbul ankara rabat casablanca tanger nador
    paramaribo zurich wenen praag belgie duitsland frankrijk engeland polen turkije marokko
    suriname spanje italie roemenie bulgarije oekraine syrie buitenland curacao aruba bonaire""".split()
) | {"new york", "sint maarten"}
REGION_WORDS = frozenset("brabant holland fryslan randstad veluwe".split())
NOT_A_PLACE = frozenset({"nederland", "buitenland", "het buitenland"})  # not hamlet Nederland
VIA_RANK = {"name": 0, "alias": 1, "woonplaats": 2}


@dataclass(frozen=True)
class Gemeente:
    """A gemeente: its CBS code, official name, province and labour-market region."""

    code: str
    name: str
    provincie: str
    arbeidsmarktregio: str

    @property
    def display_name(self) -> str:
        """The name to show people: "Bergen (Noord-Holland)" for "Bergen (NH.)"."""
        if self.name == "'s-Gravenhage":
            return "Den Haag"
        return re.sub(r"\s*\([^)]*\)$", f" ({self.provincie})", self.name)


@dataclass(frozen=True)
class Match:
    """What a message says about where someone lives; ``status`` says how sure we are."""

    status: str  # found | confirm | choose | unknown | not_a_postcode | unknown_postcode
    gemeente: Optional[Gemeente]
    candidates: tuple[Gemeente, ...]
    query: str
    via: str  # postcode | name | alias | woonplaats | fuzzy | ""


class Places:
    """Gemeenten, postcodes and place names, with lookups over them."""

    def __init__(self, gemeenten, pc4, names, official, ordinary):
        self._gemeenten: dict[str, Gemeente] = gemeenten
        self._pc4: dict[str, str] = pc4  # "3511" -> "GM0344"
        self._names: dict[str, dict[str, tuple[str, int]]] = names  # key -> code -> (via, weight)
        self._official: dict[str, str] = official  # folded exact official name -> code
        self._ordinary: frozenset[str] = ordinary
        self._keys = list(names)
        areas = {fold(x) for g in gemeenten.values() for x in (g.provincie, g.arbeidsmarktregio)}
        self._not_places = FOREIGN | REGION_WORDS | NOT_A_PLACE | areas

    @classmethod
    def load(cls, data_dir: Path = DATA_DIR) -> Places:
        """Read the gemeenten, woonplaatsen, postcodes and aliases from ``data_dir``."""

        def rows(name: str) -> list[dict[str, str]]:
            with (data_dir / name).open(encoding="utf-8", newline="") as handle:
                return list(csv.DictReader(handle))

        gemeenten = {
            r["gemeente_code"]: Gemeente(
                r["gemeente_code"], r["gemeente"], r["provincie"], r["arbeidsmarktregio"]
            )
            for r in rows("gemeenten.csv")
        }
        names: dict[str, dict[str, tuple[str, int]]] = {}

        def add(name: str, code: str, via: str, weight: int = 1) -> None:
            codes = names.setdefault(fold(name), {})
            old = codes.get(code, (via, 0))
            best_via = via if VIA_RANK[via] < VIA_RANK[old[0]] else old[0]
            codes[code] = (best_via, max(weight, old[1]))

        suffix = re.compile(r"\s*(\([^)]*\)|\s(?:L|AC|NB|Gld|GLD|Ut|Gn|GN|NH|ZH|O|Z)\.?)$")
        official = {}
        for g in gemeenten.values():  # "Bergen (NH.)" also as "Bergen" and "Bergen Noord-Holland"
            bare = suffix.sub("", g.name)
            for name in (g.name, bare, f"{bare} {g.provincie}"):
                add(name, g.code, "name", 100)
            if bare == g.name:
                official[fold(g.name)] = g.code
        for r in rows("woonplaatsen.csv"):  # "Hengelo (Gld)" also as "Hengelo"
            code, weight = r["gemeente_code"], int(r["aantal_pc4"] or 1)
            bare = re.sub(r" gem\. .*$", "", suffix.sub("", r["woonplaats"]))
            for name in (r["woonplaats"], bare, f"{bare} {gemeenten[code].provincie}"):
                add(name, code, "woonplaats", weight)
        for r in rows("aliases.csv"):
            add(r["alias"], r["gemeente_code"], "alias")
        for key in NOT_A_PLACE:
            names.pop(key, None)
        pc4 = {r["pc4"]: r["gemeente_code"] for r in rows("pc4_gemeente.csv")}
        ordinary = frozenset(ORDINARY | read_word_list(data_dir / "ordinary_words.txt"))
        return cls(gemeenten, pc4, names, official, ordinary)

    # ---- lookups -------------------------------------------------------------------------

    def gemeente(self, code_or_official_name: str) -> Optional[Gemeente]:
        """A gemeente by CBS code ("GM0363") or official name (case/diacritics-insensitive)."""
        text = code_or_official_name.strip()
        if text.upper() in self._gemeenten:
            return self._gemeenten[text.upper()]
        key = fold(text)
        return next((g for g in self._gemeenten.values() if fold(g.name) == key), None)

    def regions(self) -> list[str]:
        """The 35 arbeidsmarktregio names, sorted."""
        return sorted({g.arbeidsmarktregio for g in self._gemeenten.values()})

    # ---- resolve -------------------------------------------------------------------------

    def resolve(self, text: str) -> Match:
        """Find where someone lives in free text: a postcode, a place name, or a near miss."""
        words, raw = fold(text).split(), fold(text, lower=False).split()
        raw = raw if len(raw) == len(words) else words
        core = self._strip(words)
        if core and re.fullmatch(r"\d+ ?[a-z]*", " ".join(core)):  # the answer is just a code
            return self._postcode(text, " ".join(core))
        strong = re.search(r"\b([1-9]\d{3}) ?([a-z]{2})\b", " ".join(words))
        if strong and strong.group(2) not in self._ordinary | CUES | {"en", "ik", "is", "op"}:
            return self._postcode(text, strong.group(0))
        for i, word in enumerate(words):  # "in 3511", "postcode 3511", but not "2500 euro"
            if re.fullmatch(r"[1-9]\d{3}", word) and i and words[i - 1] in CUES | {"postcode"}:
                if not (i + 1 < len(words) and words[i + 1] in AMOUNT_WORDS):
                    return self._postcode(text, word)
        for i in range(len(words) - len(core), -1, -1):  # the answer without fillers, then all
            key = " ".join(words[i:])
            if key in self._names:
                return self._named(text, key, self._cautious(key, raw[i:]))
        match = self._in_sentence(text, words, raw) or self._near_miss(text, words, raw, core)
        if match.status == "unknown" and len(core) <= 3 and any(w.isdigit() for w in core):
            return Match("not_a_postcode", None, (), text, "")  # "€ 2500", "nr 35"
        return match

    def _strip(self, words: list[str]) -> list[str]:
        """Drop leading fillers ("ik woon in") and "gemeente" anywhere; keep one word."""
        words = [w for w in words if w != "gemeente"] or words
        changed = True
        while changed:
            changed = False
            for filler in FILLERS:
                if tuple(words[: len(filler)]) == filler and len(words) > len(filler):
                    words, changed = words[len(filler) :], True
                    break
        return words

    def _postcode(self, text: str, code: str) -> Match:
        """PC4 lookup; four digits not starting with 0, optionally two letters."""
        digits, letters = re.fullmatch(r"(\d+) ?([a-z]*)", code).groups()
        if len(digits) != 4 or digits[0] == "0" or len(letters) not in (0, 2):
            return Match("not_a_postcode", None, (), text, "")
        if digits not in self._pc4:
            return Match("unknown_postcode", None, (), text, "postcode")
        g = self._gemeenten[self._pc4[digits]]
        return Match("found", g, (g,), text, "postcode")

    def _is_ordinary(self, key: str) -> bool:
        return all(w in self._ordinary for w in key.split() if w not in ARTICLES)

    def _cautious(self, key: str, raw: list[str]) -> bool:
        """Confirm rather than state: "best" in lower case, or "Zeeland" (a village in
        Maashorst, but mostly meant as the province). "Utrecht" is no such case."""
        if self._is_ordinary(key) and not any(w[:1].isupper() for w in raw[: len(key.split())]):
            return True
        if key in self._not_places:
            own = [self._gemeenten[code] for code in self._names[key]]
            return key not in {fold(x) for g in own for x in (g.provincie, g.arbeidsmarktregio)}
        return False

    def _named(self, text: str, key: str, cautious: bool = False, via: str = "") -> Match:
        """Match for an exact name key; ``cautious`` turns a single "found" into "confirm"."""
        codes = self._names[key]
        order = sorted(codes, key=lambda c: (VIA_RANK[codes[c][0]], -codes[c][1], c))
        exact = self._official.get(key)  # "Hoorn": the gemeente first, Terschelling's Hoorn next
        if exact:
            order = [exact] + [c for c in order if c != exact]
        candidates = tuple(self._gemeenten[c] for c in order)
        if len(order) > 1 and not exact:
            return Match("choose", None, candidates, text, via or codes[order[0]][0])
        status = "confirm" if cautious else "found"
        return Match(status, candidates[0], candidates, text, via or codes[order[0]][0])

    def _in_sentence(self, text: str, words: list[str], raw: list[str]) -> Optional[Match]:
        """Exact names inside a sentence, longest span first, without overlaps.

        Of several places, the only one after "woon"/"kom uit" wins ("ik woon in Zoetermeer
        maar werk in Den Haag"); otherwise ask which ("uit Groningen, woon nu in Utrecht").
        """
        taken: set[int] = set()
        found: list[tuple[int, bool, Match]] = []
        for n in range(min(5, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                key = " ".join(words[i : i + n])
                if key not in self._names or taken & set(range(i, i + n)):
                    continue
                if self._is_ordinary(key):  # "in de wijk", "ik ben Adam": only "in De Wijk"
                    if not (i and words[i - 1] in CUES and raw[i][:1].isupper()):
                        continue
                taken |= set(range(i, i + n))
                living = bool(LIVING & set(words[max(0, i - 3) : i]))
                found.append((i, living, self._named(text, key, self._cautious(key, raw[i:]))))
        found.sort(key=lambda item: item[0])
        lived = [m for _, living, m in found if living]
        matches = lived if len(lived) == 1 else [m for _, _, m in found]
        if len(matches) <= 1:
            return matches[0] if matches else None
        picked = [
            g for m in matches for g in (m.candidates if m.gemeente is None else [m.gemeente])
        ]
        candidates = tuple(dict.fromkeys(picked))
        if len(candidates) == 1:
            return Match("found", candidates[0], candidates, text, matches[0].via)
        return Match("choose", None, candidates, text, matches[0].via)

    def _near_miss(self, text: str, words: list[str], raw: list[str], core: list[str]) -> Match:
        """Fuzzy matching, but never for foreign places, provinces or region names."""
        foreign = any(
            " ".join(words[i : i + 2]) in FOREIGN or w in FOREIGN for i, w in enumerate(words)
        )
        letters = [w for w in core if not w.isdigit() and w not in AMOUNT_WORDS]
        if not letters or " ".join(core) in self._not_places or foreign:
            return Match("unknown", None, (), text, "")
        if len(core) <= 3:  # a short answer: the whole of it may be a misspelt name
            # Also with the fillers put back: "Het Hogland", "De Rond Venen".
            start = len(words) - len(core)
            queries = [" ".join(letters)] + [" ".join(words[i:]) for i in range(start)][-2:]
            match = self._fuzzy(text, queries, allow_found=True)
            if match.status != "unknown":
                return match
        # A typo inside a sentence, only where a place is expected: after "woon in", "kom
        # uit", "gemeente", ..., or after "in"/"uit"/"bij" when the word has a capital or is
        # no Dutch word. "found" only for a word that is no Dutch word (see _fuzzy).
        known = dutch_words()
        for i in range(1, len(words)):
            cue = words[i - 1]
            living = cue in CUES and i > 1 and words[i - 2] in LIVING
            odd = words[i] not in known and words[i] not in self._ordinary
            if not (
                cue in STRONG_CUES or living or (cue in CUES and (raw[i][:1].isupper() or odd))
            ):
                continue
            for n in (3, 2, 1):
                span = words[i : i + n]
                if len(span) == n and not any(w.isdigit() for w in span):
                    # Words after the place ("Leeuwaarden is daar") never make it longer.
                    if n > 1 and span[-1] in known and span[-1] not in self._names:
                        continue
                    query = " ".join(span)
                    typo = any(w not in known and w not in self._ordinary for w in span)
                    match = (typo and self._typo(text, query)) or self._fuzzy(
                        text, [query], allow_found=False
                    )
                    if match.status != "unknown":
                        return match
        return Match("unknown", None, (), text, "")

    def _typo(self, text: str, query: str) -> Optional[Match]:
        """A misspelt place inside a sentence that is one clear slip, used without asking:
        at least MIN_FOUND_LENGTH letters, one edit away (two from ten letters on; two
        swapped letters count as one edit), and no other place as near. None otherwise."""
        from rapidfuzz import process
        from rapidfuzz.distance import DamerauLevenshtein

        if len(query.replace(" ", "")) < MIN_FOUND_LENGTH or query in self._not_places:
            return None
        allowed = 1 if len(query) < 10 else 2
        hits = process.extract(
            query, self._keys, scorer=DamerauLevenshtein.distance, score_cutoff=allowed, limit=20
        )
        if not hits:
            return None
        best, distance, _ = min(hits, key=lambda hit: hit[1])
        place = set(self._names[best])
        own = {
            fold(x)
            for c in place
            for x in (self._gemeenten[c].provincie, self._gemeenten[c].arbeidsmarktregio)
        }
        if distance == 0 or self._is_ordinary(best) or best in self._not_places - own:
            return None  # "Groningen" the province is also the city; "Zeeland" is no village here
        if any(d <= distance and set(self._names[k]) != place for k, d, _ in hits):
            return None  # two places as near: the ordinary path asks which
        return self._named(text, best, via="fuzzy")

    def _fuzzy(self, text: str, queries: list[str], allow_found: bool) -> Match:
        """Closest names by edit similarity; "found" only for a long query with a clear lead.

        Of several ways to read the query, the one with the nearest name counts. Inside a
        sentence (``allow_found=False``) a higher score is needed ("terecht" is no "Utrecht").
        """
        from rapidfuzz import fuzz, process

        unknown = Match("unknown", None, (), text, "")
        floor = CONFIRM_SCORE if allow_found else SENTENCE_SCORE
        readings = [
            (q, [(k, s) for k, s, _ in process.extract(q, self._keys, scorer=fuzz.ratio, limit=10)])
            for q in queries
            if len(q) >= 5
        ]
        query, hits = max(readings, key=lambda r: r[1][0][1] if r[1] else 0, default=("", []))
        # Nearest to an ordinary word ("hallo" ~ the village Hall): no guess at all.
        if not hits or hits[0][1] < floor or self._is_ordinary(hits[0][0]):
            return unknown
        best, score = hits[0]
        others = [(k, s) for k, s in hits if set(self._names[k]) != set(self._names[best])]
        close = [k for k, s in others if s >= score - TIE]
        if close:  # two different places about equally near: let the person choose
            codes = dict.fromkeys(c for k in [best, *close] for c in self._names[k])
            return Match("choose", None, tuple(self._gemeenten[c] for c in codes), text, "fuzzy")
        clear = (
            allow_found
            and score >= FOUND_SCORE
            and len(query) >= MIN_FOUND_LENGTH
            and score - max((s for _, s in others), default=0) >= MARGIN
        )
        return self._named(text, best, cautious=not clear, via="fuzzy")
