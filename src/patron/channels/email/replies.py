"""The reply alone: what a customer newly wrote, without the earlier messages their mail client
quoted below (or above) it, the "On … wrote:" line, forwarded headers or their signature. The
case shows this; the whole email stays available as it arrived.

Each line is given a kind (empty, text, quoted, the start of an embedded earlier email, a
delimiter, a mobile signature), and the reply is the text before the first earlier email or
signature. An earlier email at the very top (bottom-posting) is skipped and the text after it
kept. Lines inside ``` fences are always text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from enum import StrEnum

# "… wrote:" in the languages customers write in; the date and name before it vary too much to
# match, so the verb and the colon at the end of a (possibly wrapped) line decide.
_WROTE = re.compile(
    # English puts the name first ("On …, Ann wrote:"); other languages may name after the verb
    # ("Am … schrieb Ann <ann@…>:").
    r"(\b(wrote|writes)\s*[:：]|"
    r"(a\s+écrit|schrieb|escribió|escribio|ha\s+scritto|scrisse|schreef|skrev|kirjoitti|escreveu|"
    r"napisał\(a\)|napisała|napisał|написал\(а\)|написала|написал|написав|пише|写道|寫道|geschreven)"
    r".{0,80}[:：])\s*$",
    re.IGNORECASE,
)
_VERB = re.compile(r"\b(wrote|schrieb|skrev|schreef|escribió|écrit|scritto|napisał|написал|escreveu)\b", re.IGNORECASE)
# Gmail in some languages: "2016-10-24 15:36 GMT+02:00 Ann <ann@example.com>:" or
# "2013/7/20 Ann <ann@example.com>", wrapped or not.
_DATED_ATTRIBUTION = re.compile(
    r"^\s*\d{4}[-/]\d{1,2}[-/]\d{1,2}\b(.{0,120}(>|>:|:)\s*$| \d{1,2}:\d{2} GMT[+-]\d{2}:\d{2}\b)"
)
# Any language: a time and an address, then a colon: "26.06.2014, 14:41, "Ann" <ann@example.com>:"
_TIMED_ADDRESS_ATTRIBUTION = re.compile(r"\d{1,2}:\d{2}.{0,150}<[^<>\s]+@[^<>\s]+>\s*[:：]\s*$")
# "---- On Tue, 22 Dec 2015, Sam wrote ----"
_DASHED_ATTRIBUTION = re.compile(r"^\s*-{2,}\s*on\b.{0,200}\bwrote\s*-{2,}\s*$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(
    r"^\s*[*_]?\s*[-_=]{2,}\s*(original message|original e-?mail|ursprüngliche nachricht|originalnachricht|"
    r"message d'origine|message original|mensaje original|oorspronkelijk bericht|messaggio originale|"
    r"originalmeddelande|opprinnelig melding|oprindelig meddelelse|wiadomość oryginalna|"
    r"исходное сообщение|оригинальное сообщение|mensagem original|forwarded message|"
    r"weitergeleitete nachricht|message transféré|mensaje reenviado)\s*[-_=]{2,}\s*[*_]?\s*$",
    re.IGNORECASE,
)
_FORWARD_START = re.compile(r"^\s*(begin forwarded message|anfang der weitergeleiteten nachricht)\s*:", re.IGNORECASE)
_FIELD = r"^\s*[*_]{{0,2}}\s*({names})\s*[*_]{{0,2}}\s*[:：]"
_FROM = re.compile(
    _FIELD.format(names="from|von|de|van|från|fra|od|da|от|від|lähettäjä|feladó|expéditeur|remitente|afzender"),
    re.IGNORECASE,
)
_OTHER_FIELDS = re.compile(
    _FIELD.format(
        names="sent|date|to|subject|cc|gesendet|datum|an|betreff|envoyé|à|objet|enviado|fecha|para|asunto|"
        "verzonden|aan|onderwerp|skickat|till|ämne|sendt|til|emne|wysłano|wysłane|do|temat|data|inviato|a|"
        "oggetto|отправлено|кому|тема|дата|надіслано|тема|assunto|enviada"
    ),
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^\s*(-{3,}|_{3,}|—{2,})\s*$")
_DELIMITER = re.compile(r"^\s*(--|-- |—|[-_=*#~+]{2,}|[-_=*#~+]{2,}\s*[-_=*#~+]*)\s*$")
_MOBILE_SIGNATURE = re.compile(
    r"^\s*(<<)?\s*(sent from|sent via|sent with|sent using|sent by|get outlook for|envoyé depuis|envoyé de mon|"
    r"envoyé à partir|von meinem .{0,40}gesendet|gesendet von|diese nachricht wurde von meinem|enviado desde|"
    r"enviado do meu|enviado de meu|inviato da|verzonden met|verstuurd vanaf|verzonden vanaf|skickat från|"
    r"sendt fra|wysłane z|отправлено с|надіслано з|从我的|發自我的|发自我的)",
    re.IGNORECASE,
)
# How a wrapped attribution line starts: "On", "Le", "Am", … or a date.
_ATTRIBUTION_OPENER = re.compile(
    r"^(on|le|am|el|il|op|w dniu|em|den|på|dne|в|у|\d{1,4}[./-]|\w+,? \d{1,2}|\d{1,2} \w+)\b", re.IGNORECASE
)
_FENCE = re.compile(r"^\s*```")
_INVISIBLE_ONLY = re.compile(r"^[\s\W_ᐧ\u200b\u200c\u200d\ufeff]*$")


class Kind(StrEnum):
    EMPTY = "e"
    TEXT = "t"
    QUOTED = "q"
    EARLIER = "h"  # the first line of an earlier email: "On … wrote:", headers, a separator
    DELIMITER = "d"
    SIGNATURE = "s"


def strip_reply(text: str, *, signatures: bool = True) -> str:
    """The newly written part of a plain-text reply. Empty when it is all earlier email. With
    `signatures` off, a signature is kept (only earlier email is taken away)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kinds = _kinds(lines)
    if not signatures:
        kinds = [Kind.TEXT if kind in (Kind.SIGNATURE, Kind.DELIMITER) else kind for kind in kinds]
    start, end = _reply_span(kinds, lines)
    if start == 0 and end == len(lines) and _is_all_quoted_history(kinds):
        return ""
    kept = lines[start:end]
    while kept and _INVISIBLE_ONLY.match(kept[-1]) and not _FENCE.match(kept[-1]):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(line.rstrip() for line in kept).strip("\n")


def _reply_span(kinds: Sequence[Kind], lines: Sequence[str]) -> tuple[int, int]:
    """Where the reply is, as [start, end) line numbers."""
    first = next((i for i, kind in enumerate(kinds) if kind != Kind.EMPTY), len(kinds))
    start = first
    if first < len(kinds) and kinds[first] == Kind.EARLIER:
        # Bottom-posting: an earlier email first, then the reply after its quoted lines.
        after = _after_quoted_block(kinds, first, lines)
        if any(kind == Kind.TEXT for kind in kinds[after:]):
            start = after
    end = next(
        (i for i in range(start, len(kinds)) if kinds[i] in (Kind.EARLIER, Kind.DELIMITER, Kind.SIGNATURE)),
        len(kinds),
    )
    return start, end


def _after_quoted_block(kinds: Sequence[Kind], start: int, lines: Sequence[str] = ()) -> int:
    index = start + 1
    if lines and not _WROTE.search(lines[start]):
        # Forwarded or Outlook headers: the block runs to the first empty line.
        while index < len(kinds) and kinds[index] != Kind.EMPTY:
            index += 1
    while index < len(kinds) and kinds[index] in (Kind.QUOTED, Kind.EMPTY, Kind.EARLIER):
        index += 1
    return index


def _is_all_quoted_history(kinds: Sequence[Kind]) -> bool:
    """Nothing but quoted earlier emails (a reply that added nothing, or a mail loop)."""
    return Kind.EARLIER in kinds and all(kind in (Kind.EMPTY, Kind.QUOTED, Kind.EARLIER) for kind in kinds)


def _kinds(lines: Sequence[str]) -> list[Kind]:
    kinds: list[Kind] = []
    in_code = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_code = not in_code
            kinds.append(Kind.TEXT)
            continue
        kinds.append(Kind.TEXT if in_code else _kind(lines, index))
    return kinds


def _kind(lines: Sequence[str], index: int) -> Kind:
    line = lines[index]
    stripped = line.strip()
    if not stripped:
        return Kind.EMPTY
    if stripped.startswith("|") and index > 0:
        return Kind.QUOTED
    if stripped.startswith(">"):
        unquoted = stripped.lstrip("> ")
        following = [candidate.strip().lstrip("> ") for candidate in lines[index + 1 : index + 7]]
        starts_earlier = (
            _WROTE.search(unquoted)
            or _FORWARD_START.match(unquoted)
            or _ORIGINAL_MESSAGE.match(unquoted)
            or ((_FROM.match(unquoted) or _OTHER_FIELDS.match(unquoted)) and _field_follows(following))
        )
        return Kind.EARLIER if unquoted and starts_earlier else Kind.QUOTED
    if _starts_earlier_email(lines, index):
        return Kind.EARLIER
    if _MOBILE_SIGNATURE.match(stripped):
        return Kind.SIGNATURE
    if _DELIMITER.match(line) or _INVISIBLE_ONLY.match(stripped) and len(stripped) <= 3:
        return Kind.DELIMITER
    return Kind.TEXT


def _starts_earlier_email(lines: Sequence[str], index: int) -> bool:
    line = lines[index]
    if _ORIGINAL_MESSAGE.match(line) or _FORWARD_START.match(line):
        return True
    if _SEPARATOR.match(line):
        following = [candidate for candidate in lines[index + 1 : index + 4] if candidate.strip()]
        return bool(following) and bool(_FROM.match(following[0]))
    if _FROM.match(line):
        return sum(1 for candidate in lines[index + 1 : index + 7] if _OTHER_FIELDS.match(candidate)) >= 1
    # "On <date>, <name> <address> wrote:" wrapped over up to three lines by the client.
    joined = line.strip()
    if _DASHED_ATTRIBUTION.match(joined):
        return True
    if (_WROTE.search(joined) and _looks_like_attribution(joined)) or _DATED_ATTRIBUTION.match(joined):
        return True
    if _TIMED_ADDRESS_ATTRIBUTION.search(joined):
        return True
    if _OTHER_FIELDS.match(line) and any(
        _OTHER_FIELDS.match(candidate) or _FROM.match(candidate) for candidate in lines[index + 1 : index + 4]
    ):
        return True
    if not (_ATTRIBUTION_OPENER.match(joined) or _VERB.search(joined)):
        return False
    # Clients wrap a long attribution, sometimes with blank lines in between.
    for next_line in [candidate.strip() for candidate in lines[index + 1 : index + 6] if candidate.strip()][:3]:
        if joined.endswith((".", "!", "?")) and _WROTE.search(next_line):
            return False  # a finished sentence, and the attribution is the next line
        joined = f"{joined} {next_line.lstrip('> ')}"
        if len(joined) <= 400 and (_WROTE.search(joined) or _DATED_ATTRIBUTION.match(joined)):
            return True
    return False


def _field_follows(lines: Sequence[str]) -> bool:
    """Another header field (To:, Subject:, …) in the next few lines: a block of headers."""
    return any(_OTHER_FIELDS.match(line) for line in lines[:3])


def _looks_like_attribution(text: str) -> bool:
    """An attribution line names someone or a time, and is not a sentence in the middle of a
    paragraph: it has a date or time, an address, or a name before the verb."""
    has_when = bool(re.search(r"\d", text))
    has_address = "@" in text or "<" in text
    return has_when or has_address or len(text) < 80


# Where mail clients put the earlier email in an HTML reply. Everything from such an element on
# (it and what follows it in the same container) is the earlier email.
_HTML_CUT_XPATH = (
    "//blockquote"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_extra ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' yahoo_quoted ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' moz-cite-prefix ')]"
    " | //*[@id='divRplyFwdMsg' or @id='OLK_SRC_BODY_SECTION' or @id='appendonsend' or @id='stopSpelling']"
    " | //hr"
    " | //div[contains(translate(@style, 'BORDERTOP ', 'bordertop'), 'border-top:solid')]"
)


def strip_reply_html(html: str, *, signatures: bool = True) -> str:
    """The newly written part of an HTML reply, as plain text."""
    from lxml import etree
    from lxml import html as lxml_html

    from patron.channels.email.html_text import html_to_text

    try:
        document = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return strip_reply(html_to_text(html), signatures=signatures)
    for element in document.xpath(_HTML_CUT_XPATH):
        if element.getparent() is not None:
            _drop_from(element)
    text = html_to_text(lxml_html.tostring(document, encoding="unicode"))
    return strip_reply(text, signatures=signatures)


def _drop_from(element: object) -> None:
    """Remove the element and everything after it, up through its ancestors."""
    node = element
    while node is not None and node.getparent() is not None:  # type: ignore[attr-defined]
        parent = node.getparent()  # type: ignore[attr-defined]
        for sibling in list(node.itersiblings()):  # type: ignore[attr-defined]
            parent.remove(sibling)
        if node is element:
            tail = node.tail  # type: ignore[attr-defined]
            parent.remove(node)
            del tail
        node = parent if parent.tag not in ("body", "html") else None
