"""Background work of service standards, run by the task worker (`patron worker`)."""

from __future__ import annotations

from django_tasks import task

from patron.standards import services


@task()
def check_due_clocks(run_at: str) -> int:
    """Read every clock whose due time has passed and record what ran out; then schedule the
    next check. Running it twice has the effect of running it once."""
    return services.check_due_clocks_now()


@task()
def apply_new_standards(token: str) -> int:
    """After a change of calendars, policies or rules, read the open cases again under them.
    A newer change queues its own run, so an outdated one stops at once."""
    from patron.standards.configuration import current_token

    if current_token() != token:
        return 0
    return services.read_open_cases_again()
