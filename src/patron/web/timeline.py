"""How each CaseEvent reads on a case's timeline: a message (from the customer, a reply, an
internal note, a logged call) or one sentence saying who changed what, from its before/after."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from patron.cases.models import CaseEvent, CaseKind, Channel, Direction, EventKind, Message, Priority, Status
from patron.complaints import steps
from patron.complaints.models import Step, Tier
from patron.complaints.regimes import BUILT_IN
from patron.complaints.remedies import STEP_NAMES, StepKind
from patron.feedback.models import SurveyKind

MESSAGE_EVENTS = frozenset(
    {
        EventKind.OPENED,
        EventKind.MESSAGE_RECEIVED,
        EventKind.REPLIED,
        EventKind.NOTE_ADDED,
        EventKind.CONTACT_LOGGED,
    }
)
SPOKEN_CHANNELS = frozenset({Channel.PHONE, Channel.FACE_TO_FACE})
# Read for every message shown: a choices class builds its list of values anew on each reading.
CHANNELS = frozenset(Channel.values)


@dataclass(frozen=True)
class Entry:
    """One line of the timeline. `style` is one of inbound, reply, note, call or change."""

    event: CaseEvent
    style: str
    title: str
    byline: str
    detail: str
    message: Message | None = None

    @property
    def is_message(self) -> bool:
        return self.message is not None


def entries(events: Iterable[CaseEvent]) -> list[Entry]:
    return [entry(event) for event in events]


def entry(event: CaseEvent) -> Entry:
    if event.kind in MESSAGE_EVENTS and event.message is not None:
        return _message_entry(event, event.message)
    return Entry(event=event, style="change", title=event.kind_label, byline=_actor(event), detail=change(event))


def _message_entry(event: CaseEvent, message: Message) -> Entry:
    channel = Channel(message.channel).label if message.channel in CHANNELS else message.channel
    author = _author(message)
    if message.direction == Direction.NOTE:
        return Entry(event, "note", _("Internal note"), author, _("Only colleagues can see this."), message)
    spoken = message.channel in SPOKEN_CHANNELS
    logged_by = _logged_by(event)
    if message.direction == Direction.OUTBOUND:
        if spoken:
            title = _("Phone call to the customer") if message.channel == Channel.PHONE else _("Spoke to the customer")
            detail = _("%(channel)s, logged by %(agent)s.") % {"channel": channel, "agent": logged_by or author}
            return Entry(event, "call", title, author, detail, message)
        return Entry(event, "reply", _("Reply to the customer"), author, _("Sent by %s.") % channel.lower(), message)
    if spoken:
        title = _("Phone call from the customer") if message.channel == Channel.PHONE else _("Customer visited")
        detail = (
            _("%(channel)s, logged by %(agent)s.") % {"channel": channel, "agent": logged_by}
            if logged_by
            else _("%s.") % channel
        )
        return Entry(event, "call", title, author, detail, message)
    title = _("Case opened: message from the customer") if event.kind == EventKind.OPENED else _("Customer wrote")
    return Entry(event, "inbound", title, author, _("Received by %s.") % channel.lower(), message)


def _author(message: Message) -> str:
    if message.author_agent is not None:
        return message.author_agent.display_name
    if message.author_customer is not None:
        return message.author_customer.name
    return _("Unknown sender")


def _actor(event: CaseEvent) -> str:
    return event.actor.display_name if event.actor is not None else _("Patron")


def _logged_by(event: CaseEvent) -> str:
    if event.kind == EventKind.CONTACT_LOGGED:
        return event.actor.display_name if event.actor is not None else ""
    ref = event.data.get("logged_by") if isinstance(event.data, Mapping) else None
    return str(ref.get("name", "")) if isinstance(ref, Mapping) else ""


_SURVEY_NAMES: dict[str, str] = {
    SurveyKind.CSAT: "satisfaction (CSAT)",
    SurveyKind.NPS: "Net Promoter",
    SurveyKind.CES: "effort (CES)",
}


def _survey(kind: str, data: Mapping[str, Any]) -> str:
    measure = str(data.get("measure") or "")
    measure = _SURVEY_NAMES.get(measure, measure)
    if kind == EventKind.SURVEY_SENT:
        return _("A %(measure)s survey was emailed to %(to)s.") % {"measure": measure, "to": data.get("to") or "?"}
    if kind == EventKind.SURVEY_NOT_SENT:
        return _("No survey was sent: %(reason)s") % {"reason": data.get("reason") or _("no reason given.")}
    return _("The customer answered the %(measure)s survey: %(score)s out of %(out_of)s.") % {
        "measure": measure,
        "score": data.get("score", "?"),
        "out_of": data.get("out_of", "?"),
    }


# --- changes ------------------------------------------------------------------------------------


def change(event: CaseEvent) -> str:
    """The sentence for a change event, e.g. “Alice Smith changed the status from New to Open.”"""
    data: Mapping[str, Any] = event.data if isinstance(event.data, Mapping) else {}
    before, after = data.get("before"), data.get("after")
    who = _actor(event)
    kind = event.kind
    if kind in (EventKind.STATUS_CHANGED, EventKind.REOPENED):
        values = {"who": who, "before": _label(Status, before), "after": _label(Status, after)}
        if event.actor is None:
            return _("The status changed automatically from %(before)s to %(after)s.") % values
        if kind == EventKind.REOPENED:
            return _("%(who)s reopened the case (it was %(before)s).") % values
        return _("%(who)s changed the status from %(before)s to %(after)s.") % values
    if kind == EventKind.PRIORITY_CHANGED:
        values = {"who": who, "before": _label(Priority, before), "after": _label(Priority, after)}
        return _("%(who)s changed the priority from %(before)s to %(after)s.") % values
    if kind == EventKind.KIND_CHANGED:
        values = {"who": who, "before": _label(CaseKind, before), "after": _label(CaseKind, after)}
        return _("%(who)s changed the kind from %(before)s to %(after)s.") % values
    if kind == EventKind.ASSIGNED:
        return _assignment(event, who, before, after)
    if kind == EventKind.TEAM_CHANGED:
        values = {"who": who, "before": _name(before, _("no team")), "after": _name(after, _("no team"))}
        return _("%(who)s moved the case from %(before)s to %(after)s.") % values
    if kind == EventKind.SUBJECT_CHANGED:
        return _("%(who)s changed the subject from “%(before)s” to “%(after)s”.") % {
            "who": who,
            "before": before or "",
            "after": after or "",
        }
    if kind == EventKind.CATEGORY_CHANGED:
        if not after:
            return _("%(who)s cleared the category (it was “%(before)s”).") % {"who": who, "before": before or ""}
        return _("%(who)s set the category to “%(after)s”.") % {"who": who, "after": after}
    if kind == EventKind.TAGS_CHANGED:
        return _tags(who, before, after)
    if kind == EventKind.CUSTOMER_CHANGED:
        values = {"who": who, "before": _name(before, "?"), "after": _name(after, "?")}
        if data.get("reason") == "merged":
            return _("%(who)s merged customer %(before)s into %(after)s; the case moved with them.") % values
        return _("%(who)s changed the customer from %(before)s to %(after)s.") % values
    if kind == EventKind.OPENED:
        return _("%(who)s opened the case.") % {"who": who}
    if kind in (EventKind.TARGET_MET, EventKind.TARGET_BREACHED):
        return _service_target(kind, data)
    if kind == EventKind.RESTRICTION_CHANGED:
        names = ", ".join(_name(person, "?") for person in data.get("people") or [])
        values = {"who": who, "names": names, "reason": data.get("reason") or ""}
        if data.get("restricted"):
            return _("%(who)s restricted the case to %(names)s: %(reason)s") % values
        return _("%(who)s lifted the restriction: %(reason)s") % values
    if kind == EventKind.ACKNOWLEDGED:
        return _("An acknowledgement with the case reference was emailed to %(to)s.") % {"to": data.get("to") or "?"}
    if kind == EventKind.EMAIL_FAILED:
        return _("An email to the customer could not be sent after %(n)s attempts: %(error)s") % {
            "n": data.get("attempts", "?"),
            "error": data.get("error") or _("no reason given."),
        }
    if kind == EventKind.EMAIL_HELD:
        return _("An email to the customer was held back, not sent: %(reason)s") % {
            "reason": data.get("reason") or _("no reason given."),
        }
    if kind in (EventKind.SURVEY_SENT, EventKind.SURVEY_NOT_SENT, EventKind.SURVEY_ANSWERED):
        return _survey(kind, data)
    if kind == EventKind.COMPLAINT_STEP and data.get("remedy_step") in StepKind.__members__.values():
        return _remedy_step(who, data)
    if kind in (EventKind.COMPLAINT_STEP, EventKind.COMPLAINT_ESCALATED, EventKind.COMPLAINT_DEESCALATED):
        sentence = _complaint_change(kind, data, who)
        if sentence:
            return sentence
    return _("%(what)s by %(who)s.") % {"what": event.kind_label, "who": who}


def _remedy_step(who: str, data: Mapping[str, Any]) -> str:
    """A step on the Consumer Rights Act remedy path, with its day and any money agreed."""
    try:
        day = date.fromisoformat(str(data.get("on")))
        on = f"{day.day} {day:%B %Y}"
    except ValueError:
        on = "?"
    values = {"who": who, "step": STEP_NAMES[StepKind(data["remedy_step"])], "on": on}
    if data.get("amount"):
        values["amount"] = data["amount"]
        return _("%(who)s recorded on the remedy path: %(step)s on %(on)s, £%(amount)s.") % values
    return _("%(who)s recorded on the remedy path: %(step)s on %(on)s.") % values


def _complaint_change(kind: str, data: Mapping[str, Any], who: str) -> str:
    """A step recorded with what it recorded, a change of tier with its reason, or a complaint
    resolved with steps missing and why; other complaint events read by their kind alone."""
    if kind in (EventKind.COMPLAINT_ESCALATED, EventKind.COMPLAINT_DEESCALATED):
        values = {
            "who": who,
            "before": _label(Tier, data.get("before")),
            "after": _label(Tier, data.get("after")),
            "reason": data.get("reason") or "",
        }
        if kind == EventKind.COMPLAINT_ESCALATED:
            return _("%(who)s escalated the complaint from %(before)s to %(after)s: %(reason)s") % values
        return _("%(who)s de-escalated the complaint from %(before)s to %(after)s: %(reason)s") % values
    step = data.get("step")
    if step in Step.values:
        details = steps.described(step, {name: value for name, value in data.items() if name != "step"})
        values = {"who": who, "step": Step(step).label, "details": details}
        if not details:
            return _("%(who)s recorded the step “%(step)s”.") % values
        return _("%(who)s recorded the step “%(step)s”. %(details)s") % values
    if "regime" in data and set(data) <= {"regime", "before"}:
        regime = BUILT_IN.get(str(data["regime"]))
        name = regime.name if regime is not None else str(data["regime"])
        return _("%(who)s put the complaint under the %(regime)s regime.") % {"who": who, "regime": name}
    missing = data.get("resolved_without")
    if isinstance(missing, list):
        labels = ", ".join(_label(Step, code) for code in missing)
        return _("Resolved without these steps recorded: %(steps)s. Reason: %(reason)s") % {
            "steps": labels,
            "reason": data.get("reason") or "",
        }
    return ""


def _service_target(kind: str, data: Mapping[str, Any]) -> str:
    labels = {"first_response": _("first response"), "next_response": _("next response"), "resolution": _("resolution")}
    values = {
        "target": labels.get(str(data.get("target")), _("service")),
        "minutes": _minutes(data.get("target_minutes")),
        "policy": data.get("policy") or _("the policy"),
    }
    if kind == EventKind.TARGET_MET:
        return _("The %(target)s target of %(minutes)s (%(policy)s) was met.") % values
    return _("The %(target)s target of %(minutes)s (%(policy)s) was breached.") % values


def _minutes(value: object) -> str:
    try:
        minutes = round(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _("its time")
    hours, rest = divmod(minutes, 60)
    if hours and not rest:
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    if hours:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _assignment(event: CaseEvent, who: str, before: object, after: object) -> str:
    if after is None:
        return _("%(who)s unassigned the case (it was with %(before)s).") % {"who": who, "before": _name(before, "?")}
    if isinstance(after, Mapping) and event.actor is not None and after.get("id") == event.actor.pk:
        return _("%(who)s took the case.") % {"who": who}
    return _("%(who)s assigned the case to %(after)s.") % {"who": who, "after": _name(after, "?")}


def _tags(who: str, before: object, after: object) -> str:
    old = set(before) if isinstance(before, Sequence) and not isinstance(before, str) else set()
    new = set(after) if isinstance(after, Sequence) and not isinstance(after, str) else set()
    added, removed = sorted(new - old), sorted(old - new)
    parts = []
    if added:
        parts.append(ngettext("added the tag %s", "added the tags %s", len(added)) % ", ".join(added))
    if removed:
        parts.append(ngettext("removed the tag %s", "removed the tags %s", len(removed)) % ", ".join(removed))
    if not parts:
        return _("%(who)s changed the tags.") % {"who": who}
    return _("%(who)s %(changes)s.") % {"who": who, "changes": _(" and ").join(parts)}


def _label(choices: Any, value: object) -> str:
    if value is None or value == "":
        return _("none")
    labels = dict(choices.choices)
    return str(labels.get(value, value)).lower()


def _name(ref: object, empty: str) -> str:
    if isinstance(ref, Mapping):
        return str(ref.get("name") or empty)
    return empty
