"""Spoken answers: words and numbers in English and Polish map to keys; refusals win."""
import pytest

from flows.speech import choose, spoken_number

MAIN = {"1", "2", "3", "4", "8", "9"}


@pytest.mark.parametrize("said, key", [
    ("one", "1"), ("1", "1"), ("I want an update on my case", "1"), ("jeden", "1"),
    ("speak to someone please", "2"), ("dwa", "2"), ("can you call me back", "3"),
    ("callback", "3"), ("oddzwonienie", "3"), ("my rights", "4"), ("cztery", "4"),
    ("polski", "8"), ("Polish.", "8"), ("repeat that", "9"), ("powtórz", "9"),
])
def test_main_menu_words(said, key):
    assert choose(said, "main_menu", MAIN) == key


@pytest.mark.parametrize("said", ["", "banana", "seven", "hmm"])
def test_unknown_words_choose_nothing(said):
    assert choose(said, "main_menu", MAIN) is None


@pytest.mark.parametrize("said, key", [
    ("yes it's safe", "1"), ("it is not safe", "2"), ("no", "2"), ("tak", "1"), ("nie", "2"),
    ("no it isn't safe", "2"),
])
def test_safety_question_reads_refusals_first(said, key):
    assert choose(said, "safe", {"1", "2"}) == key


def test_no_please_is_no():
    assert choose("no please don't", "yes_no", {"1", "2"}) == "2"


@pytest.mark.parametrize("said, digits", [
    ("5201234 26", "520123426"), ("five two oh one two three four slash two six", "520123426"),
    ("double five one", "551"), ("pięć dwa", "52"), ("my number is five", None), ("", None),
])
def test_spoken_numbers(said, digits):
    assert spoken_number(said) == digits
