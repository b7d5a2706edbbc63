"""Reading pages in tests the way an agent reads them."""

from __future__ import annotations

import html
import re

from django.http import HttpResponse


def page(response: HttpResponse) -> str:
    """The response's HTML with entities decoded, so sentences compare as written."""
    return html.unescape(response.content.decode())


def visible_text(response: HttpResponse) -> str:
    """The words on the page, tags removed and white space collapsed."""
    without_tags = re.sub(r"<[^>]+>", " ", page(response))
    return " ".join(without_tags.split())
