"""Background work of surveys, run by the task worker (`patron worker`)."""

from __future__ import annotations

from django_tasks import task

from patron.feedback import services


@task()
def send_survey(case_id: int) -> str:
    """Send the survey of a case just resolved, or record why not."""
    survey = services.send_survey(case_id=case_id)
    return "nothing to do" if survey is None else survey.status
