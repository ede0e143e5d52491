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
