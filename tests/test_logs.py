"""Log lines go to standard error as it is when they are written."""

from __future__ import annotations

import io
import logging

import pytest

from patron.logs import StandardError


def test_a_log_line_goes_to_the_current_standard_error_even_after_the_old_one_closed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first = io.StringIO()
    monkeypatch.setattr("sys.stderr", first)
    handler = StandardError()
    logger = logging.getLogger("tests.logs")
    logger.addHandler(handler)
    monkeypatch.setattr(logger, "propagate", False)
    try:
        logger.warning("one")
        assert first.getvalue() == "one\n"
        first.close()
        second = io.StringIO()
        monkeypatch.setattr("sys.stderr", second)
        logger.warning("two")
    finally:
        logger.removeHandler(handler)
    assert second.getvalue() == "two\n"


def test_patron_logs_through_it() -> None:
    handlers = logging.getLogger().handlers
    assert any(isinstance(handler, StandardError) for handler in handlers)
