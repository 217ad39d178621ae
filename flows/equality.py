"""The web survey's optional equality monitoring: the answers it offers.

Ethnicity follows the Office for National Statistics' 2021 Census categories for
England and Wales (19 categories in 5 groups); "Prefer not to say" is offered for every
question and is what an unanswered question records.  Keys are stored; labels shown.
"""
from __future__ import annotations

PREFER_NOT = "prefer_not_to_say"
PREFER_NOT_LABEL = "Prefer not to say"

AGE_BANDS = {
    "under_18": "Under 18", "18_24": "18 to 24", "25_34": "25 to 34", "35_44": "35 to 44", "45_54": "45 to 54",
    "55_64": "55 to 64", "65_74": "65 to 74", "75_over": "75 or over", PREFER_NOT: PREFER_NOT_LABEL,
}

# (group, [(key, label), ...]) in the ONS order
ETHNIC_GROUPS = [
    ("Asian, Asian British or Asian Welsh", [
        ("asian_bangladeshi", "Bangladeshi"), ("asian_chinese", "Chinese"), ("asian_indian", "Indian"),
        ("asian_pakistani", "Pakistani"), ("asian_other", "Any other Asian background")]),
    ("Black, Black British, Black Welsh, Caribbean or African", [
        ("black_african", "African"), ("black_caribbean", "Caribbean"),
        ("black_other", "Any other Black, Black British or Caribbean background")]),
    ("Mixed or Multiple ethnic groups", [
        ("mixed_white_asian", "White and Asian"), ("mixed_white_black_african", "White and Black African"),
        ("mixed_white_black_caribbean", "White and Black Caribbean"),
        ("mixed_other", "Any other Mixed or Multiple ethnic background")]),
    ("White", [
        ("white_british", "English, Welsh, Scottish, Northern Irish or British"), ("white_irish", "Irish"),
        ("white_gypsy_traveller", "Gypsy or Irish Traveller"), ("white_roma", "Roma"),
        ("white_other", "Any other White background")]),
    ("Other ethnic group", [("other_arab", "Arab"), ("other_any", "Any other ethnic group")]),
]
ETHNICITIES = {key: label for _group, items in ETHNIC_GROUPS for key, label in items} | {PREFER_NOT: PREFER_NOT_LABEL}
ETHNIC_GROUP_OF = {key: group for group, items in ETHNIC_GROUPS for key, _label in items} | {
    PREFER_NOT: PREFER_NOT_LABEL}

# Aggregates of fewer answers than this are not shown: a small group could be one person.
MIN_CELL = 10


def clean(age_band: str | None, ethnicity: str | None) -> tuple[str, str]:
    """The answers as stored: anything not offered (or left blank) is "prefer not to say"."""
    return (age_band if age_band in AGE_BANDS else PREFER_NOT,
            ethnicity if ethnicity in ETHNICITIES else PREFER_NOT)
