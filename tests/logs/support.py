"""The root handler's output, read back by the tests."""
from __future__ import annotations

import io
import logging


def root_output() -> io.StringIO:
    """Point the service's root handler(s) at a buffer and return it."""
    buffer = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if getattr(h, "desk", False)]
    assert handlers, "configure_logging put no handler on the root logger"
    for handler in handlers:
        handler.setStream(buffer)
    return buffer
