"""The arithmetic of the long-conversation benchmark (bench/long.py); no servers here."""

import math

import pytest

from bench.long import WINDOWS, long_conversation, summarise_long, window_medians


def test_the_windows_are_the_ones_issue_20_names():
    assert WINDOWS == ((1, 20), (181, 200), (381, 400))


def test_each_window_takes_its_own_messages():
    latencies = [10.0] * 20 + [99.0] * 160 + [20.0] * 20 + [99.0] * 180 + [30.0] * 19 + [31.0]
    assert window_medians(latencies) == {"1-20": 10.0, "181-200": 20.0, "381-400": 30.0}


def test_a_median_of_an_even_window_is_between_its_middle_values():
    latencies = list(range(1, 21))  # 1..20 ms: the median is (10 + 11) / 2
    assert window_medians(latencies) == {"1-20": 10.5}


def test_growth_is_the_last_window_over_the_first():
    latencies = [40.0] * 200 + [60.0] * 200
    result = summarise_long(latencies, [])
    assert result.medians_ms == {"1-20": 40.0, "181-200": 40.0, "381-400": 60.0}
    assert result.growth == pytest.approx(1.5)
    assert result.messages == 400 and result.errors == {}


def test_windows_that_do_not_fit_are_left_out_and_errors_counted():
    result = summarise_long([5.0] * 190, ["timeout"])
    assert result.medians_ms == {"1-20": 5.0}
    assert math.isnan(result.growth)
    assert result.messages == 191 and result.errors == {"timeout": 1}


def test_only_the_local_machine_is_measured():
    with pytest.raises(ValueError):
        long_conversation("http://example.org:5005", messages=1)
