"""Where Patron's log lines go."""

from __future__ import annotations

import logging
import sys
from typing import TextIO


class StandardError(logging.StreamHandler[TextIO]):
    """Log lines to whatever standard error is when each line is written, not to the stream it
    was when logging was set up: a thread of a server (the SMTP receiver's, say) that logs after
    its caller swapped standard error out and closed the old one still has a place to write."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _stream: TextIO) -> None:
        """The stream is always the current standard error."""
