"""Office hours of the coaches (loopbrug/handoff/hours.py)."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from loopbrug.handoff.hours import OfficeHours, crisis_response_text, date_text, when_text

AMS = ZoneInfo("Europe/Amsterdam")
WEEKDAYS = OfficeHours.parse("ma-vr 09:00-17:00")
SPLIT = OfficeHours.parse("ma-do 09:00-17:00; vr 09:00-12:00")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMS)


def test_a_weekday_range_opens_monday_to_friday():
    assert sorted(WEEKDAYS.slots) == [0, 1, 2, 3, 4]
    assert all(WEEKDAYS.slots[d] == ((time(9), time(17)),) for d in range(5))
    assert WEEKDAYS.zone == AMS


def test_several_parts_and_dotted_times():
    assert SPLIT.slots[3] == ((time(9), time(17)),)
    assert SPLIT.slots[4] == ((time(9), time(12)),)
    assert 5 not in SPLIT.slots and 6 not in SPLIT.slots
    two_slots = OfficeHours.parse("MA 13.00-17.00; ma 9:00-12:30")
    assert two_slots.slots == {0: ((time(9), time(12, 30)), (time(13), time(17)))}
    assert OfficeHours.parse("za 10:00-24:00").slots[5] == ((time(10), time(23, 59, 59)),)


@pytest.mark.parametrize(
    "moment, is_open",
    [
        (local(2026, 3, 4, 9, 0), True),  # Wednesday, opening minute
        (local(2026, 3, 4, 8, 59), False),
        (local(2026, 3, 4, 16, 59), True),
        (local(2026, 3, 4, 17, 0), False),  # closing time is closed
        (local(2026, 3, 7, 12, 0), False),  # Saturday
        (local(2026, 3, 6, 11, 0), True),  # Friday morning
        (local(2026, 3, 6, 13, 0), False),  # Friday afternoon: closed in the split spec
    ],
)
def test_is_open_in_local_time(moment, is_open):
    assert SPLIT.is_open(moment) is is_open


def test_is_open_converts_utc_to_amsterdam_time_in_winter_and_summer():
    # Winter (CET, UTC+1): 8:30 UTC is 9:30 local.
    assert WEEKDAYS.is_open(datetime(2026, 1, 14, 8, 30, tzinfo=timezone.utc))
    assert not WEEKDAYS.is_open(datetime(2026, 1, 14, 7, 30, tzinfo=timezone.utc))
    assert not WEEKDAYS.is_open(datetime(2026, 1, 14, 16, 30, tzinfo=timezone.utc))
    # Summer (CEST, UTC+2): 7:30 UTC is 9:30 local, 15:30 UTC is 17:30 local.
    assert WEEKDAYS.is_open(datetime(2026, 7, 15, 7, 30, tzinfo=timezone.utc))
    assert not WEEKDAYS.is_open(datetime(2026, 7, 15, 15, 30, tzinfo=timezone.utc))
    # Monday 30 March 2026, the day after the clocks went forward: 7:05 UTC is 9:05 local.
    assert WEEKDAYS.is_open(datetime(2026, 3, 30, 7, 5, tzinfo=timezone.utc))
    assert not WEEKDAYS.is_open(datetime(2026, 3, 27, 7, 5, tzinfo=timezone.utc))  # 8:05 CET


def test_friday_evening_opens_again_on_monday_morning():
    friday_evening = local(2026, 3, 6, 19, 30)
    opening = WEEKDAYS.next_opening(friday_evening)
    assert opening == local(2026, 3, 9, 9, 0)
    assert opening.weekday() == 0
    assert when_text(opening, friday_evening) == "maandag om 9:00"


def test_next_opening_across_the_change_to_summer_time():
    # Friday 27 March 2026 evening; the clocks go forward on Sunday 29 March.
    friday = datetime(2026, 3, 27, 18, 0, tzinfo=timezone.utc)
    opening = WEEKDAYS.next_opening(friday)
    assert (opening.date().isoformat(), opening.hour, opening.minute) == ("2026-03-30", 9, 0)
    assert opening.astimezone(timezone.utc).hour == 7  # 9:00 CEST


@pytest.mark.parametrize(
    "now, expected",
    [
        (local(2026, 3, 4, 7, 0), local(2026, 3, 4, 9, 0)),  # before opening: today
        (local(2026, 3, 4, 12, 0), local(2026, 3, 5, 9, 0)),  # open now: the next start
        (local(2026, 3, 6, 12, 30), local(2026, 3, 9, 9, 0)),  # split spec, Friday afternoon
    ],
)
def test_next_opening(now, expected):
    assert SPLIT.next_opening(now) == expected


def test_when_text_says_today_tomorrow_or_the_weekday():
    now = local(2026, 3, 4, 7, 0)  # Wednesday
    assert when_text(local(2026, 3, 4, 13, 0), now) == "vandaag om 13:00"
    assert when_text(local(2026, 3, 5, 9, 0), now) == "morgen om 9:00"
    assert when_text(local(2026, 3, 6, 9, 30), now) == "vrijdag om 9:30"
    # "now" in UTC late on Wednesday evening is already Thursday in Amsterdam.
    late = datetime(2026, 3, 4, 23, 30, tzinfo=timezone.utc)  # 0:30 Thursday local
    assert when_text(local(2026, 3, 5, 9, 0), late) == "vandaag om 9:00"


@pytest.mark.parametrize(
    "spec",
    [
        "",
        " ; ",
        "maandag 09:00-17:00",
        "ma-vr 9-17",
        "ma-vr 17:00-09:00",
        "ma-vr 09:00-09:00",
        "vr-ma 09:00-17:00",
        "ma-vr 25:00-26:00",
        "ma-vr 09:00-17:00; zaterdag",
    ],
)
def test_bad_specs_are_refused(spec):
    with pytest.raises(ValueError):
        OfficeHours.parse(spec)


def test_a_bad_zone_is_refused():
    with pytest.raises(ZoneInfoNotFoundError):
        OfficeHours.parse("ma-vr 09:00-17:00", "Europe/Nergens")


def test_dates_are_written_in_dutch_words_in_local_time():
    hours = OfficeHours.parse("ma-vr 09:00-17:00")
    # 23:30 UTC on 3 March is already 4 March in Amsterdam.
    assert date_text(datetime(2026, 3, 3, 23, 30, tzinfo=timezone.utc), hours) == "4 maart 2026"


def test_a_crisis_ticket_outside_office_hours_says_when_and_keeps_113_first():
    hours = OfficeHours.parse("ma-vr 09:00-17:00")
    saturday = datetime(2026, 3, 7, 11, 0, tzinfo=timezone.utc)
    said = crisis_response_text(hours, saturday)
    assert said.startswith("Coaches zijn er weer maandag om 9:00. Je aanvraag staat dan bovenaan.")
    assert "113" in said and "werkdag" not in said
