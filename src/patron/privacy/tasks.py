"""Background work of the privacy app, run by the task worker (`patron worker`)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import TaskResultStatus, task

from patron.privacy.retention import run_retention

# At night, when the desk is quiet: anonymising a year's cases rewrites many rows.
RUN_AT = time(2, 30)


def next_run_after(moment: datetime) -> datetime:
    local = timezone.localtime(moment)
    today_run = timezone.make_aware(datetime.combine(local.date(), RUN_AT))
    return today_run if today_run > local else today_run + timedelta(days=1)


def _already_waiting() -> bool:
    from django.conf import settings

    if "django_tasks_db" not in settings.TASKS["default"]["BACKEND"]:
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=apply_retention_schedule.module_path, status=TaskResultStatus.READY
    ).exists()


@task()
def apply_retention_schedule(run_at: str) -> dict[str, int]:
    """Apply the retention schedule, then queue tomorrow's run."""
    outcomes = run_retention(dry_run=False)
    schedule_retention(after=timezone.now())
    return {outcome.category: outcome.count for outcome in outcomes}


def schedule_retention(*, after: datetime) -> None:
    """Queue the next nightly run, unless one is already waiting (a worker restarted)."""
    if _already_waiting():
        return
    run_at = next_run_after(after)
    apply_retention_schedule.using(run_after=run_at).enqueue(run_at=run_at.isoformat())
