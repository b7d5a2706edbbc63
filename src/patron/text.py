"""Text as Patron stores it, whatever the channel it came from."""

from __future__ import annotations

import nh3

# The HTML a message body may keep once sanitised: structure and emphasis, links and
# tables; never scripts, styles, forms or event handlers.
_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "div",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
}


def clean_text(value: str) -> str:
    """Text as both SQLite and PostgreSQL store it: NUL characters removed (PostgreSQL refuses
    them in text columns) and CRLF folded to LF. Applied at every boundary, so the same input
    behaves the same on both databases."""
    return value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")


def sanitise_html(value: str) -> str:
    """HTML safe to show inside the agent UI: only harmless tags, links that cannot run code."""
    return nh3.clean(
        clean_text(value),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer nofollow",
    )
