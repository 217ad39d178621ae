"""A case's status is read as a plain sentence in the caller's language, from one
table that covers every status the case system sends; any other status is never read
out raw (in English inside a Polish sentence, or a code like "nfa")."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from desk.settings import Settings
from flows import case_status

ROOT = Path(__file__).resolve().parents[2]


def readme_statuses() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `status` |"))
    described = row.split("|")[3]
    return set(re.findall(r"`([^`]+)`", described.split("(")[0]))


def test_the_table_covers_the_statuses_the_case_system_sends():
    assert readme_statuses() == set(case_status.PHRASES)


def test_every_closed_status_has_a_sentence():
    closed = Settings.model_fields["CASE_CLOSED_STATUSES"].default
    assert {case_status.normalise(s) for s in closed} <= set(case_status.PHRASES)


@pytest.mark.parametrize("language", ["en", "pl"])
def test_every_status_is_a_sentence_in_each_language(language):
    for status, phrases in case_status.PHRASES.items():
        sentence = phrases[language]
        assert sentence[0].isupper() and sentence.endswith("."), (status, language)
        assert status not in sentence.lower() or language == "en", (status, sentence)


@pytest.mark.parametrize("raw", ["Under_Investigation ", "UNDER INVESTIGATION", "under-investigation"])
def test_statuses_are_compared_loosely(raw):
    assert case_status.phrase(raw, "pl") == case_status.PHRASES["under investigation"]["pl"]


@pytest.mark.parametrize("raw", ["refer to CPS", "", None, "suspect charged with assault"])
def test_an_unknown_status_is_never_read_out(raw):
    for language in ("en", "pl"):
        sentence = case_status.phrase(raw, language)
        assert sentence == case_status.UNKNOWN[language]
        assert not raw or raw.lower() not in sentence.lower()
    assert not case_status.known(raw)
