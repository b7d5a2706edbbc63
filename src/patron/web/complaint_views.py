"""The complaint panel of the case page: regime, tier, deadlines, and the LATER steps as a
checklist with the next one highlighted and editable wording to start from."""

from __future__ import annotations

from typing import Any

from patron.cases.models import Case, CaseKind
from patron.complaints.models import Complaint, ComplaintStep, Step, Tier
from patron.complaints.queries import deadlines_of

# Wording to start from for each step; the agent makes it their own.
STEP_TEMPLATES = {
    Step.LISTEN: "The customer told us: … They would like: … I read this back and they agreed it is right.",
    Step.APOLOGISE: "I apologised sincerely for …",
    Step.THANK: "I thanked them for telling us, so we can put it right.",
    Step.EXPLAIN: "I explained what happened and why: … I acknowledged how it affected them: …",
    Step.RESOLVE: "We offered: … The customer accepted / did not accept. Follow up on: …",
}


def _step(code: str, taken: ComplaintStep | None, next_code: str | None) -> dict[str, Any]:
    by = taken.by if taken is not None else None
    return {
        "code": code,
        "label": Step(code).label,
        "done": taken is not None,
        "next": code == next_code,
        "by": by.display_name if by is not None else "",
        "at": taken.at if taken is not None else None,
    }


def complaint_context(case: Case) -> dict[str, Any]:
    if case.kind != CaseKind.COMPLAINT:
        return {"complaint": None}
    complaint = (
        Complaint.objects.filter(case=case).select_related("regime").prefetch_related("steps", "steps__by").first()
    )
    if complaint is None:
        return {"complaint": None}
    done = {step.step: step for step in complaint.steps.all()}
    next_code = next((code for code in Step.values if code not in done), None)
    steps = [_step(code, done.get(code), next_code) for code in Step.values]
    following = (
        {"code": next_code, "label": Step(next_code).label, "template": STEP_TEMPLATES[Step(next_code)]}
        if next_code
        else None
    )
    return {
        "complaint": complaint,
        "complaint_tier": Tier(complaint.tier).label,
        "complaint_deadlines": deadlines_of(complaint),
        "complaint_steps": steps,
        "complaint_next": following,
    }
