"""Phone numbers: the parsing lives in flows.phone (the call flow needs it and may
import nothing outside flows); the rest of the service keeps importing it from here."""
from flows.phone import InvalidPhone, spoken_digits, to_e164, try_e164

__all__ = ["InvalidPhone", "spoken_digits", "to_e164", "try_e164"]
