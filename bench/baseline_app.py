"""The webhook benchmark's baseline: Flask answering every POST with constant TwiML,
served by the same gunicorn settings as the real app (`gunicorn bench.baseline_app:app`)."""
from flask import Flask, Response

app = Flask(__name__)

TWIML = ('<?xml version="1.0" encoding="UTF-8"?><Response><Say language="en-GB" voice="Polly.Amy">'
         "You are through to the Victim Focus Desk.</Say></Response>")


@app.post("/<path:_path>")
def constant(_path):
    return Response(TWIML, mimetype="text/xml")
