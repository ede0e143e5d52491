"""The text catalogue (loopbrug/texts.py, data/texts/)."""

import ast

import pytest

from loopbrug import texts
from loopbrug.settings import ROOT


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


# Modules whose sentences for a person all come from data/texts/ (more join as they move).
TEXTS_ONLY = ["actions/handoff.py", "actions/privacy.py"]


def written_in_python(node: ast.AST) -> bool:
    """A string literal or f-string: a sentence that would not be in data/texts/."""
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, str)
    )


@pytest.mark.parametrize("path", TEXTS_ONLY)
def test_these_modules_send_no_sentence_written_in_python(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "utter_message":
            for keyword in node.keywords:
                if keyword.arg == "text":
                    assert not written_in_python(keyword.value), f"{path}:{node.lineno}"
        if isinstance(node, ast.Dict):  # a button's title
            for key, value in zip(node.keys, node.values):
                if isinstance(key, ast.Constant) and key.value == "title":
                    assert not written_in_python(value), f"{path}:{node.lineno}"
