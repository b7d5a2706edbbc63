"""Speed of taking in email: a Maildir of typical messages, read, threaded and stored.

    PATRON_LOCAL=1 .venv/bin/python bench/ingest.py [--quick] [--messages N]

The Maildir holds what a service desk receives: new questions from a few hundred customers
(plain text, or text with an HTML alternative, some with a small attachment), their replies to
earlier messages (In-Reply-To, References, quoted history below the answer), and the odd
out-of-office reply. One process ingests it exactly as `patron ingest-mail <maildir>` does, into
SQLite, with a mailbox for the team and a service-level policy in force (so each new case also
gets its clocks). A Maildir is an archive, so its cases are not acknowledged. Target: at least 200
messages a second. Results are printed and written to bench/results/ingest.json.
"""

from __future__ import annotations

import argparse
import json
import mailbox
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "ingest.json"
TARGET = 200.0

QUESTIONS = (
    "My order {n} has not arrived yet. It was due on Tuesday. Could you tell me where it is?",
    "I was charged twice for invoice {n}. Please refund the second payment to my card.",
    "The kettle I bought (order {n}) stopped working after a week. Can I have a replacement?",
    "I cannot log in to my account since the update. The reset link in your email does not work.",
    "Please change the delivery address for order {n} to my work address, 12 High Street.",
)
ANSWERS = (
    "Thank you, that is all sorted now.",
    "It still has not arrived, I am afraid. Could you chase the courier?",
    "Here is the photo you asked for. The crack is on the base.",
    "Yes, Thursday morning suits me for the engineer's visit.",
)


def build_maildir(path: Path, count: int, *, seed: int = 11) -> int:
    """Write `count` messages into a new Maildir at `path`; returns its size in bytes."""
    rng = random.Random(seed)  # noqa: S311 - repeatable on purpose
    box = mailbox.Maildir(path, create=True)
    sent: list[tuple[str, str, str]] = []  # (message id, subject, sender)
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    size = 0
    for number in range(count):
        when = start + timedelta(minutes=number * 3)
        roll = rng.random()
        message = EmailMessage()
        if sent and roll < 0.3:
            message_id, subject, sender = rng.choice(sent)
            answer = rng.choice(ANSWERS)
            quoted = "\n".join(f"> {line}" for line in ("Dear customer,", "", "Thank you for your message.", "") * 3)
            message["Subject"] = f"Re: {subject}"
            message["In-Reply-To"] = message_id
            message["References"] = message_id
            body = f"{answer}\n\nOn {format_datetime(when - timedelta(hours=2))}, Care wrote:\n{quoted}\n"
        elif roll < 0.33:
            sender = f"customer{rng.randrange(300)}@example.com"
            subject = "Automatic reply: Out of office"
            message["Auto-Submitted"] = "auto-replied"
            body = "I am out of the office until Monday and will reply when I return."
        else:
            sender = f"customer{rng.randrange(300)}@example.com"
            subject = f"Order {10_000 + number}"
            body = rng.choice(QUESTIONS).format(n=10_000 + number) + "\n\nKind regards,\nA customer\n"
        message_id = make_msgid(domain="mail.example.com")
        message["From"] = f"Customer <{sender}>"
        message["To"] = "help@desk.example"
        message["Date"] = format_datetime(when)
        message["Message-ID"] = message_id
        if "Subject" not in message:
            message["Subject"] = subject
        message.set_content(body)
        if rng.random() < 0.25:
            paragraphs = "".join(f"<p>{line}</p>" for line in body.split("\n") if line)
            message.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
        if rng.random() < 0.1:
            message.add_attachment(rng.randbytes(20_000), maintype="image", subtype="jpeg", filename="photo.jpg")
        raw = message.as_bytes()
        size += len(raw)
        box.add(raw)
        if not subject.startswith(("Re:", "Automatic")):
            sent.append((message_id, subject, sender))
    box.close()
    return size


def prepare_desk() -> None:
    from django.core.management import call_command

    from patron.accounts.models import Role
    from patron.accounts.services import create_agent, create_team
    from patron.channels.models import Mailbox
    from patron.standards.services import PolicyDetails, create_policy

    call_command("migrate", "-v", "0")
    team = create_team(name="Care")
    manager = create_agent(username="manager", email="m@example.com", role=Role.SERVICE_MANAGER)
    create_policy(
        details=PolicyDetails(name="Standard", first_response_minutes=480, resolution_minutes=2400), by=manager
    )
    Mailbox.objects.create(address="help@desk.example", name="Care", team=team)


def ingest(path: Path) -> dict[str, object]:
    from collections import Counter

    from patron.channels.email.mailboxes import open_mailbox
    from patron.channels.services import ingest_archive

    box = open_mailbox(path)
    outcomes: Counter[str] = Counter()
    started = time.perf_counter()
    for result in ingest_archive(box.emails(), source=box.source):
        outcomes[str(result.outcome)] += 1
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "count": box.count, "outcomes": dict(outcomes)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="200 messages, to check the script runs")
    parser.add_argument("--messages", type=int, default=None, help="how many messages (default 5,000)")
    args = parser.parse_args(argv)
    count = args.messages or (200 if args.quick else 5_000)
    work = Path(tempfile.mkdtemp(prefix="patron-bench-ingest-"))
    os.environ.update({"PATRON_DATA_DIR": str(work / "data"), "PATRON_LOCAL": "1", "PATRON_LOG_LEVEL": "ERROR"})
    os.environ.pop("PATRON_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    import django

    django.setup()
    size = build_maildir(work / "Maildir", count)
    prepare_desk()
    run = ingest(work / "Maildir")
    from patron.cases.models import Case, Message
    from patron.channels.models import OutboundEmail

    rate = run["count"] / run["seconds"]  # type: ignore[operator]
    result = {
        "name": f"ingest a Maildir of {count:,} typical messages ({size / count / 1024:.1f} KiB on average)",
        "value": round(rate),
        "unit": "messages/s",
        "target": TARGET,
        "verdict": "PASS" if rate >= TARGET else "FAIL",
        "seconds": round(run["seconds"], 2),  # type: ignore[call-overload]
        "outcomes": run["outcomes"],
        "cases": Case.objects.count(),
        "messages": Message.objects.count(),
        "acknowledgements": OutboundEmail.objects.count(),
    }
    print(json.dumps(result, indent=2))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["verdict"] == "PASS" else 1


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    sys.exit(main())
