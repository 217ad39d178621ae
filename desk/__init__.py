"""App-wide plumbing shared by the voice, SMS and API sides: settings, webhook
signatures, phone numbers, Redis and the command line."""
