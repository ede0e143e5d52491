"""The checks run over every golden conversation (tests/golden/checks.py) can each fail."""

from datetime import date

from tests.golden.checks import flood, plain_language, raw_syntax, repeats, turn_problems
from tests.golden.transcript import Message, normalise

GOOD = [
    Message(
        "Hoi! Ik ben de digitale assistent van Loopbrug. Waar wil je mee beginnen?",
        [{"title": "Zelftest doen", "payload": "/start_assessment"}],
    ),
    Message("Kijk ook op 113.nl of bel 0800-0113. Dat kan dag en nacht."),
]


def test_a_good_turn_passes_every_check():
    assert turn_problems(GOOD) == []


def test_a_line_sent_twice_in_one_turn_fails():
    turn = [Message("Welke opleiding heb je?"), Message("Welke opleiding heb je?")]
    assert repeats(turn) == ["line sent twice: 'Welke opleiding heb je?'"]


def test_a_sentence_said_twice_in_one_message_fails():
    doubled = "Typ het in je eigen woorden. Typ het in je eigen woorden."
    assert repeats([Message(doubled)]) == ["sentence sent twice: 'Typ het in je eigen woorden.'"]


def test_a_sentence_repeated_as_a_list_item_fails():
    text = "Je krijgt ongeveer € 13.824. Dit is een schatting.\n- Dit is een schatting. Echt."
    assert repeats([Message(text)]) == ["sentence sent twice: '- Dit is een schatting.'"]


def test_a_doubled_word_fails():
    assert repeats([Message("Er is een loket in regio Regio Zwolle.")]) == [
        "word doubled: 'regio Regio'"
    ]


def test_short_answers_may_come_back_in_another_message():
    assert repeats([Message("Ja. Dat klopt."), Message("Ja. Dan gaan we verder.")]) == []


def test_more_than_four_messages_fail():
    assert flood([Message(f"Bericht {n}.") for n in range(4)]) == []
    assert flood([Message(f"Bericht {n}.") for n in range(5)]) == ["5 messages in one turn (max 4)"]


def test_raw_markdown_fails():
    for text in (
        "Dit is **belangrijk**.",
        "## Jouw profiel",
        "| talent | score |",
        "Lees [de regels](https://www.uwv.nl).",
        "Typ `stop`.",
        "Dit is __vet__.",
    ):
        assert raw_syntax([Message(text)]), text


def test_payload_syntax_fails_in_texts_and_button_titles():
    assert raw_syntax([Message('Kies /inform{"amount": 200}')])
    assert raw_syntax([Message("Typ /start_assessment om te beginnen.")])
    assert raw_syntax([Message("Kies:", [{"title": "/request_human", "payload": "x"}])])
    assert raw_syntax([Message('{"text": "hoi"}')])


def test_links_slashes_and_telegram_commands_are_not_payload_syntax():
    assert raw_syntax([Message("Kijk op www.uwv.nl/werk-zoeken en typ /opnieuw.")]) == []
    assert raw_syntax([Message("Heb je werk en/of een uitkering?")]) == []


def test_a_message_that_is_not_plain_language_fails():
    long = " ".join(["woord"] * 30) + "."
    assert plain_language([Message(long)])
    assert plain_language([Message("Vraag het O&O-fonds.")])


def test_normalise_replaces_what_changes_per_run_and_keeps_facts():
    text = (
        "Je nummer is LB-7K2QXZ. We vragen het op 9 december 2026 om 13:05. "
        "STAP stopte op 1 januari 2024. Download: http://127.0.0.1:49152/export/"
        "abcDEF1234567890xyz.txt?token=geheim"
    )
    assert normalise(text, date(2026, 12, 6)) == (
        "Je nummer is LB-<REF>. We vragen het op <DATUM> om <TIJD>. "
        "STAP stopte op 1 januari 2024. Download: <HOST>/export/<TOKEN>.txt?token=<TOKEN>"
    )
