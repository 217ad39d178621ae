"""Callers' and texters' phone numbers."""

VICTIM = "+447911123456"
STRANGER = "+447911123457"
OTHER = "+447911123457"  # the SMS side's second texter (the same phone as STRANGER)
OTHER_PHONE = "+447911123458"
