"""Build the Dutch spaCy pipeline that Rasa's SpacyNLP loads.

No pretrained Dutch model can be installed on our machines, so we assemble one:
``spacy.blank("nl")`` for the tokenizer, the lookup lemmatizer with the tables from
spacy-lookups-data, and an EntityRuler whose patterns are generated from the data in this
repository (region tables and lookup lists), never written by hand.

Run ``python -m bot.spacy_pipeline`` (``make setup`` does). The output folder carries
``PIPELINE_VERSION`` in its name; ``bot/config.yml`` points at it.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
from pathlib import Path
from typing import Iterable, Iterator

PIPELINE_NAME = "nl_loopbrug"
PIPELINE_VERSION = "1.0.0"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "var" / "spacy" / f"{PIPELINE_NAME}-{PIPELINE_VERSION}"

REGIONS = ROOT / "data" / "regions"
LOOKUPS = ROOT / "data" / "nlu" / "lookups"
NLU = ROOT / "data" / "nlu"


def read_column(path: Path, column: str) -> list[str]:
    """Return the non-empty values of one CSV column."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [row[column].strip() for row in csv.DictReader(handle) if row[column].strip()]


def read_lines(path: Path) -> list[str]:
    """Return the non-empty, non-comment lines of a text file."""
    if not path.exists():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def place_names() -> list[str]:
    """Every name a person may use for where they live: gemeenten, woonplaatsen, aliases."""
    names = read_column(REGIONS / "gemeenten.csv", "gemeente")
    names += read_column(REGIONS / "woonplaatsen.csv", "woonplaats")
    aliases = REGIONS / "aliases.csv"
    if aliases.exists():
        names += read_column(aliases, "alias")
    # Official forms such as "Bergen (NH.)" are also typed without their suffix.
    names += [name.split(" (")[0] for name in names if " (" in name]
    return sorted(set(names))


def ordinary_words(lemma_values: Iterable[str]) -> set[str]:
    """Lower-case words that are ordinary Dutch, so a place with that name needs a capital.

    Three data sources: the lemmas of the Dutch lookup table, every word people use in our
    own training examples outside entity annotations, and a short reviewed list
    (``data/regions/ordinary_words.txt``) for words neither source knows ("heel", "best").
    """
    words = {value.lower() for value in lemma_values}
    words.update(word.lower() for word in read_lines(REGIONS / "ordinary_words.txt"))
    for path in NLU.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"\[[^\]]*\]\([^)]*\)", " ", text)  # drop annotated entities
        words.update(re.findall(r"[a-zà-ÿ]+", text.lower()))
    return words


def token_pattern(nlp, text: str, case_sensitive: bool) -> list[dict]:
    """A token pattern that matches ``text`` as spaCy tokenizes it."""
    key = "ORTH" if case_sensitive else "LOWER"
    return [{key: tok.text if case_sensitive else tok.lower_} for tok in nlp.make_doc(text)]


def generate_patterns(nlp, common_words: set[str]) -> Iterator[dict]:
    """Yield EntityRuler patterns for places, sectors and funding schemes.

    Place names that are also ordinary Dutch words ("Echt", "Leiden", "Huizen", "Een") only
    match when written with a capital, so "ik wil echt iets anders" holds no place.
    """
    for name in place_names():
        ambiguous = name.lower() in common_words
        yield {"label": "gemeente", "pattern": token_pattern(nlp, name, ambiguous)}
    for label in ("sector", "regeling"):
        for term in read_lines(LOOKUPS / f"{label}.txt"):
            yield {"label": label, "pattern": token_pattern(nlp, term, False)}


def input_files() -> list[Path]:
    """Every file the pipeline is generated from."""
    return (
        list(REGIONS.glob("*.csv"))
        + list(REGIONS.glob("*.txt"))
        + list(LOOKUPS.glob("*.txt"))
        + list(NLU.glob("*.yml"))
    )


def data_fingerprint(paths: Iterable[Path]) -> str:
    """A short hash over the input files, stored in meta.json to show what was built from."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build(output: Path = DEFAULT_OUTPUT) -> Path:
    """Build the pipeline and save it to ``output``; return the path."""
    import spacy  # imported here: building is a set-up step, not something to do on import

    nlp = spacy.blank("nl")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    # initialize() loads the lemma tables from spacy-lookups-data and clears the ruler,
    # so patterns are added afterwards.
    nlp.initialize()
    lemma_table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    common_words = ordinary_words(lemma_table.values())
    patterns = list(generate_patterns(nlp, common_words))
    ruler.add_patterns(patterns)

    inputs = input_files()
    nlp.meta.update(
        {
            "name": PIPELINE_NAME,
            "version": PIPELINE_VERSION,
            "description": "Blank Dutch pipeline with lookup lemmatizer and generated EntityRuler",
            "sources": [
                {"name": "CBS gebiedsindelingen / Gebieden in Nederland", "license": "CC BY 4.0"},
                {"name": "spacy-lookups-data (Dutch lemma lookup)", "license": "MIT"},
            ],
            "loopbrug_data_fingerprint": data_fingerprint(inputs),
            "loopbrug_pattern_count": len(patterns),
        }
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return output


def is_current(output: Path = DEFAULT_OUTPUT) -> bool:
    """True when ``output`` exists and was built from the current data files."""
    meta_path = output / "meta.json"
    if not meta_path.exists():
        return False
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    return meta.get("loopbrug_data_fingerprint") == data_fingerprint(input_files())


def main() -> None:
    """Command line: build the pipeline unless it is already current."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--force", action="store_true", help="rebuild even when current")
    args = parser.parse_args()
    if not args.force and is_current(args.output):
        print(f"spaCy pipeline is current: {args.output}")
        return
    path = build(args.output)
    print(f"spaCy pipeline written to {path}")


if __name__ == "__main__":
    main()
