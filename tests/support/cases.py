"""A case and an engagement as the police systems post them."""

REFERENCE = "5201234/26"
REFERENCE_KEYS = "520123426#"  # the reference typed on a keypad

ENGAGEMENT = {
    "officer_id": "MP1234",
    "officer_name": "PC 4521 Lambeth",
    "borough": "Lambeth",
    "victim_phone": "07911 123456",
    "crime_reference": "5201234/26",
    "occurred_at": "2026-11-23T09:30:00+00:00",
}
