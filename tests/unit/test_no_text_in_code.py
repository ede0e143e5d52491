"""No sentence for a person is written in Python: texts live in data/texts/ (loopbrug/texts.py)
or are domain responses (bot/domain/), so a new language is a folder, not a hunt.

The check reads the code (no imports) and reports, outside docstrings, log calls, exceptions,
assertions and regular expressions:

* any literal text sent with ``dispatcher.utter_message(text=...)`` or ``utter_message("...")``;
* a literal button title (``{"title": "Ja, graag", ...}``);
* any string that looks like a Dutch sentence: four words or more, one of them a common Dutch
  function word, and a sentence's end (``.``, ``?``, ``!`` or ``:``, at the end or before
  the next sentence).

Every module of the packages below is checked, with no exceptions.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Set

import pytest

from tests.conftest import ROOT

PACKAGES = ("actions", "bot", "connectors", "loopbrug", "web")

# Common Dutch function words: one of them makes a string of four words or more a sentence.
# Words that English uses too ("is", "of", "me", "we", "die") are left out: "spaCy pipeline
# is current: ..." is a message for an operator, and every Dutch sentence has another one.
DUTCH_WORDS = frozenset(
    """je jij jou jouw u uw ik mij mijn wij ons onze een het de zijn niet geen wil wilt kun
    kunt kan mag moet heb hebt heeft dat dit er hier daar ook nog dan en maar van voor met
    naar bij op aan om te wat hoe waar wie welke""".split()
)
# A sentence ends in one of these, at the end of the string or before more words.
SENTENCE_END = re.compile(r"[.?!:](\s|$)")
WORD = re.compile(r"[A-Za-zÀ-ÿ]+(?:['-][A-Za-zÀ-ÿ]+)*")
LETTER = re.compile(r"[A-Za-zÀ-ÿ]")
# Pieces of a regular expression built by concatenation ("\\bniet\\s+(?:meer\\s+)?"): no text.
PATTERN_SYNTAX = re.compile(r"\\[bswdBSWD]|\(\?[:=!P<]")
# Calls whose strings are for developers and operators, or are patterns: logging and
# warnings, exceptions, regular expressions.
LOG_METHODS = frozenset("debug info warning warn error exception critical log".split())
REGEX_FUNCTIONS = frozenset(
    "compile search match fullmatch sub subn split findall finditer".split()
)


@dataclass(frozen=True)
class Finding:
    """One text for a person written in Python."""

    path: str
    line: int
    why: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.why}: {self.text!r}"


def looks_like_a_dutch_sentence(text: str) -> bool:
    """Four words or more, a Dutch function word among them, and a sentence's end (also
    inside: "Dank je. Ik onthoud {}" is a sentence and the start of one)."""
    words = WORD.findall(text)
    return (
        not PATTERN_SYNTAX.search(text)
        and len(words) >= 4
        and any(word.lower() in DUTCH_WORDS for word in words)
        and SENTENCE_END.search(text.strip()) is not None
    )


def literal_text(node: ast.AST) -> str | None:
    """The literal words of a string or f-string (placeholders as "{}"), or None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_text(node.left), literal_text(node.right)
        if left is not None or right is not None:
            return (left or "{}") + (right or "{}")
    return None


def _called_name(call: ast.Call) -> tuple[str, str]:
    """(receiver, name) of a call: ("re", "compile"), ("logger", "info"), ("", "print")."""
    func = call.func
    if isinstance(func, ast.Attribute):
        receiver = func.value.id if isinstance(func.value, ast.Name) else ""
        return receiver, func.attr
    if isinstance(func, ast.Name):
        return "", func.id
    return "", ""


def _not_for_a_person(call: ast.Call) -> bool:
    receiver, name = _called_name(call)
    if name in LOG_METHODS and receiver != "dispatcher":
        return True
    if receiver in ("re", "regex") and name in REGEX_FUNCTIONS:
        return True
    return name.endswith(("Error", "Exception", "Warning"))  # an exception built, not raised


def _skipped(tree: ast.AST) -> Set[int]:
    """ids of the nodes whose strings are not for a person."""
    skipped: Set[int] = set()

    def skip(node: ast.AST) -> None:
        skipped.update(id(child) for child in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and literal_text(node.value) is not None:
            skip(node)  # a docstring, or a string used as a comment
        elif isinstance(node, (ast.Raise, ast.Assert)):
            skip(node)
        elif isinstance(node, ast.Call) and _not_for_a_person(node):
            skip(node)
    return skipped


def findings(source: str, path: str = "<code>") -> List[Finding]:
    """Every text for a person in one module's source."""
    tree = ast.parse(source)
    skipped = _skipped(tree)
    found: List[Finding] = []
    seen: Set[int] = set()

    def report(node: ast.AST, why: str, text: str) -> None:
        seen.update(id(child) for child in ast.walk(node))
        found.append(Finding(path, node.lineno, why, text))

    for node in ast.walk(tree):
        if id(node) in skipped or id(node) in seen:
            continue
        if isinstance(node, ast.Call) and _called_name(node)[1] == "utter_message":
            sent = [kw.value for kw in node.keywords if kw.arg == "text"] + node.args[:1]
            for value in sent:
                text = literal_text(value)
                if text is not None and LETTER.search(text):
                    report(value, "sent as text", text)
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                text = literal_text(value)
                title = isinstance(key, ast.Constant) and key.value == "title"
                if title and text is not None and LETTER.search(text):
                    report(value, "button title", text)
        elif isinstance(node, (ast.Constant, ast.JoinedStr, ast.BinOp)):
            text = literal_text(node)
            if text is not None and looks_like_a_dutch_sentence(text):
                report(node, "Dutch sentence", text)
    return sorted(found, key=lambda f: f.line)


def modules(root: Path = ROOT) -> Iterator[str]:
    """Every module of the checked packages, as a path relative to ``root``."""
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            yield path.relative_to(root).as_posix()


def scan(root: Path = ROOT) -> List[Finding]:
    """Findings in every module of the checked packages."""
    found: List[Finding] = []
    for module in modules(root):
        found += findings((root / module).read_text(encoding="utf-8"), module)
    return found


# ---- the code itself ----------------------------------------------------------------------


def test_the_code_holds_no_text_for_a_person():
    found = scan()
    assert not found, "texts written in Python (move them to data/texts/):\n" + "\n".join(
        map(str, found)
    )


# ---- the checker ---------------------------------------------------------------------------


def check(source: str) -> List[str]:
    return [f.why for f in findings(textwrap.dedent(source))]


@pytest.mark.parametrize(
    "source, why",
    [
        # The ways a sentence for a person was written in Python before issue 18.
        ('dispatcher.utter_message(text="Die postcode ken ik niet.")', "sent as text"),
        ('dispatcher.utter_message("Typ je postcode")', "sent as text"),  # no end: still sent
        ('dispatcher.utter_message(text=f"Bedoel je {place}?")', "sent as text"),
        ('dispatcher.utter_message(text=("Klaar. " f"Ik heb {n} dingen gewist."))', "sent as text"),
        ('buttons = [{"title": "Ja, begin opnieuw", "payload": "/affirm"}]', "button title"),
        ('UNSURE = " We weten niet zeker of dit nog loopt."', "Dutch sentence"),
        ('LINES = {"nl": "Je hoort snel iets, {}.".format(how)}', "Dutch sentence"),
        ('return f"Op {FINDER} vind je het leerwerkloket bij jou in de buurt."', "Dutch sentence"),
        ('say("Wil je nu stoppen? " + rest)', "Dutch sentence"),
    ],
)
def test_the_checker_finds_a_planted_text(source, why):
    assert check(source) == [why]


@pytest.mark.parametrize(
    "source",
    [
        '"""Ask back when the place is not certain: "Bedoel je Zwolle?"."""',  # docstring
        'def f():\n    """Dit is een docstring van de functie."""',
        'logger.info("Het ticket is niet gemaakt voor %s.", ref)',
        'logging.warning("De database is er niet.")',
        'raise ValueError(f"{path}: dit is geen lijst van teksten.")',
        'assert found, "Dit is een bericht voor de ontwikkelaar."',
        'WHAT_IS = re.compile(r"^(wat|wat is) ?(een |de |het )?(?P<term>[a-z ]+?)$")',
        'dispatcher.utter_message(text=text("location.confirm", place=name))',  # by key
        'dispatcher.utter_message(response="utter_place_ask", place=name)',
        'dispatcher.utter_message(text=f"{answer}\\n{check_line}")',  # no words of its own
        'buttons = [{"title": text("privacy.erase_button"), "payload": "/delete_data"}]',
        'HELP = "Run the unit tests and the linters."',  # English, no Dutch function word
        'ALIASES = "ik woon in|ik kom uit|woonachtig te"',  # words, but no sentence
        # a piece of a pattern built by concatenation, with words and a dot
        'BEHIND = r"\\bniet\\s+(?:meer\\s+)?(?:de\\s+|mijn\\s+)?" + r"betaald. "',
    ],
)
def test_the_checker_leaves_other_strings_alone(source):
    assert check(source) == []


def test_a_text_planted_in_a_converted_module_fails_the_scan(tmp_path):
    """The whole scan, on a copy of the packages with one sentence put back into Python."""
    for module in ("actions/location.py", "loopbrug/region/describe.py"):
        (tmp_path / module).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / module).write_text((ROOT / module).read_text(encoding="utf-8"))
    assert scan(tmp_path) == []
    planted = tmp_path / "actions" / "location.py"
    planted.write_text(
        planted.read_text(encoding="utf-8")
        + '\n\ndef say(dispatcher):\n    dispatcher.utter_message(text="Waar woon je?")\n',
        encoding="utf-8",
    )
    assert [(f.path, f.why) for f in scan(tmp_path)] == [("actions/location.py", "sent as text")]
