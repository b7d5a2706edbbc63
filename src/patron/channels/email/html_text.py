"""Readable plain text from an HTML email, for the case timeline, search and replies."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Tags whose content is never text a reader sees.
_HIDDEN = {"script", "style", "head", "title", "template", "noscript"}
# Tags that begin a new line of text.
_BLOCK = {
    "address",
    "article",
    "aside",
    "blockquote",
    "br",
    "dd",
    "div",
    "dl",
    "dt",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "tr",
    "ul",
}
_PARAGRAPH = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol", "hr"}


# Where blocks begin and end; several in a row make one line break, or one blank line when any
# of them is a paragraph. A <br> is a line break of its own and always counts.
_LINE_BREAK, _PARAGRAPH_BREAK = "\x01", "\x02"
_BREAKS = re.compile(r"[ \t\r\f\v]*[\x01\x02][\x01\x02\s]*")


def _break(found: re.Match[str]) -> str:
    return "\n\n" if _PARAGRAPH_BREAK in found.group(0) else "\n"


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in ("br", "hr"):
            self.parts.append("\n")
        elif tag in _PARAGRAPH:
            self.parts.append(_PARAGRAPH_BREAK)
        elif tag in _BLOCK:
            self.parts.append(_LINE_BREAK)
        if tag == "li":
            self.parts.append("• ")
        elif tag in ("td", "th"):
            self.parts.append(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _PARAGRAPH:
            self.parts.append(_PARAGRAPH_BREAK)
        elif tag in _BLOCK and tag not in ("br", "hr"):
            self.parts.append(_LINE_BREAK)

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            # In HTML a line break in the source is a space; lines come from the markup.
            self.parts.append(re.sub(r"\s+", " ", data.replace(_LINE_BREAK, "").replace(_PARAGRAPH_BREAK, "")))


def html_to_text(html: str) -> str:
    """The words of an HTML email as a person reads them: hidden parts (scripts, styles) left
    out, one line per block, runs of spaces folded, at most one blank line in a row."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    text = "".join(collector.parts)
    text = _BREAKS.sub(_break, text.replace("\xa0", " "))
    lines = [re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
