"""Every write of the standards app, by topic."""

from patron.standards.services.calendars import (
    CalendarDetails,
    ClosureIn,
    create_calendar,
    require_manager,
    set_team_calendar,
    update_calendar,
)
from patron.standards.services.levels import (
    case_histories,
    check_due_clocks_now,
    ensure_check_by,
    matching_policy,
    plan_service_levels,
    read_open_cases_again,
    sync_service_levels,
)
from patron.standards.services.policies import PolicyDetails, create_policy, order_policies, update_policy
from patron.standards.services.rules import mark_alerts_read

__all__ = [
    "CalendarDetails",
    "ClosureIn",
    "PolicyDetails",
    "case_histories",
    "check_due_clocks_now",
    "create_calendar",
    "create_policy",
    "ensure_check_by",
    "mark_alerts_read",
    "matching_policy",
    "plan_service_levels",
    "order_policies",
    "read_open_cases_again",
    "require_manager",
    "set_team_calendar",
    "sync_service_levels",
    "update_calendar",
    "update_policy",
]
