"""The text catalogue (loopbrug/texts.py, data/texts/)."""

import pytest

from loopbrug import texts


def test_a_text_is_found_by_key_and_filled_in():
    said = texts.text("handoff.takeover", coach="Anna", team="Leerwerkloket Twente")
    assert said.startswith("Je praat nu met Anna, coach van Leerwerkloket Twente.")
    assert "{" not in said


def test_a_missing_key_or_value_raises_instead_of_reaching_a_person():
    with pytest.raises(texts.MissingText):
        texts.text("handoff.no_such_text")
    with pytest.raises(KeyError):
        texts.text("handoff.takeover", coach="Anna")  # team is missing


def test_every_file_is_a_flat_mapping_of_texts(tmp_path):
    (tmp_path / "nl").mkdir()
    (tmp_path / "nl" / "bad.yml").write_text("nested:\n  a: b\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must be a text"):
        texts.catalogue("nl", tmp_path)


def test_other_languages_translate_dutch_texts_with_the_same_placeholders():
    """A text in another language (data/texts/en/) has its Dutch original, with the same
    values to fill in; a text missing there falls back on Dutch where the code allows it."""
    dutch = texts.catalogue("nl")
    for folder in sorted(p for p in texts.TEXTS_DIR.iterdir() if p.is_dir() and p.name != "nl"):
        for key, value in texts.catalogue(folder.name).items():
            assert key in dutch, f"{folder.name}: {key} has no Dutch original"
            assert texts.placeholders(value) == texts.placeholders(dutch[key]), key


def test_labels_look_their_texts_up_by_code_when_read():
    labels = texts.Labels(
        {"takeover": "handoff.takeover"}, coach="Anna", team="Leerwerkloket Twente"
    )
    said = texts.text("handoff.takeover", coach="Anna", team="Leerwerkloket Twente")
    assert labels["takeover"] == labels.get("takeover") == said
    assert list(labels) == ["takeover"] and len(labels) == 1
    assert labels.get("unknown", "x") == "x" and "unknown" not in labels
    assert labels.code_of(said) == "takeover" and labels.code_of("iets anders") is None
    # A code whose text is missing is a bug: it raises, also through get().
    with pytest.raises(texts.MissingText):
        texts.Labels({"gone": "handoff.no_such_text"}).get("gone")
