"""Background work of the channels, run by the task worker (`patron worker`)."""

from __future__ import annotations

from django_tasks import task

from patron.channels import outbound


@task()
def send_email(outbound_id: int) -> str:
    """Send one queued email; on failure it queues its own next attempt."""
    sent = outbound.send_outbound_email(outbound_id=outbound_id)
    return "not due" if sent is None else sent.status
