"""TwiML replies kept for reading: attributes the call emulator does not act on."""
from __future__ import annotations

import xml.etree.ElementTree as ET


class RecordingClient:
    """A Flask test client that keeps every TwiML reply, so a test can read attributes
    the emulator does not act on (e.g. <Number url machineDetection>)."""

    def __init__(self, client):
        self.client, self.replies = client, []

    def open(self, *args, **kwargs):
        response = self.client.open(*args, **kwargs)
        self.replies.append(response.get_data(as_text=True))
        return response


def last_twiml(agent):
    """The last TwiML document the app gave this emulated call, parsed."""
    return ET.fromstring(agent.client.replies[-1])
