"""The `patron` command: run the desk, the worker, set-up and administration."""

from __future__ import annotations

import argparse
import getpass
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    import django

    django.setup()


def _manage(*args: str) -> None:
    from django.core.management import call_command

    call_command(*args)


def cmd_migrate(args: argparse.Namespace) -> int:
    from patron.db import refresh_statistics

    _manage("migrate", "--no-input", *([] if args.verbose else ["-v", "0"]))
    refresh_statistics()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from patron.db import refresh_statistics
    from patron.demo import DEMO_PASSWORD, load_demo

    result = load_demo(cases=args.cases, progress=not args.quiet)
    refresh_statistics()
    if result.created:
        print(f"Demo data loaded: {result.cases:,} cases for {result.customers:,} customers.")
    else:
        print("Demo data is already loaded.")
    print(f"Demo logins (password for each: {DEMO_PASSWORD}):")
    for username, role in result.logins:
        print(f"  {username:<10} {role}")
    return 0


def cmd_createadmin(args: argparse.Namespace) -> int:
    from patron.accounts.models import Role
    from patron.accounts.services import create_agent

    password = os.environ.get("PATRON_ADMIN_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            print("Set PATRON_ADMIN_PASSWORD, or run this in a terminal to be asked for a password.", file=sys.stderr)
            return 2
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            print("The two passwords differ. Nothing was created.", file=sys.stderr)
            return 2
    agent = create_agent(username=args.username, email=args.email, role=Role.ADMIN, password=password)
    print(f"Administrator {agent.username} created.")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from patron.accounts.models import Agent, Role
    from patron.accounts.services import create_token

    agent = Agent.objects.filter(username=args.username).first()
    if agent is None:
        print(f"There is no agent called {args.username}.", file=sys.stderr)
        return 2
    token, secret = create_token(agent=agent, name=args.name, role=Role(args.role) if args.role else None)
    print(
        f"Token {token.prefix}… for {agent.username} with the role {token.get_role_display()}. "
        "It is shown only now; store it safely:"
    )
    print(secret)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from django.utils import timezone

    from patron.channels.outbound import requeue_unsent_emails
    from patron.db import refresh_statistics
    from patron.privacy.tasks import schedule_retention

    refresh_statistics()
    # Email a stopped worker left unsent (its task lost, or cut off mid-send) goes out now.
    requeue_unsent_emails()
    schedule_retention(after=timezone.now())
    _manage("db_worker", "--interval", str(args.interval))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from django.conf import settings

    cmd_migrate(argparse.Namespace(verbose=False))
    _manage("collectstatic", "--no-input", "-v", "0")
    if not args.no_demo:
        cmd_demo(argparse.Namespace(cases=args.demo_cases, quiet=False))
    workers: list[subprocess.Popen[bytes]] = []

    def stop(signum: int, frame: object) -> None:
        # A polite stop (SIGTERM from a service manager or a test) stops the worker too, and
        # then the server at once, wherever it was (starting up or serving).
        _stop_workers(workers)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    workers.append(subprocess.Popen([sys.executable, "-m", "patron.cli", "worker"]))  # noqa: S603
    try:
        from waitress import serve

        from patron.wsgi import application

        print(
            f"Patron is serving at http://{args.host}:{args.port}/ (data in {settings.DATA_DIR}). "
            "Press Ctrl+C to stop.",
            flush=True,
        )
        serve(application, host=args.host, port=args.port, threads=8, ident="Patron")
    finally:
        _stop_workers(workers)
    return 0


def _stop_workers(workers: Sequence[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()


def cmd_ingest_mail(args: argparse.Namespace) -> int:
    import json
    from collections import Counter
    from datetime import timedelta
    from pathlib import Path

    from django.utils import timezone
    from tqdm import tqdm  # type: ignore[import-untyped,unused-ignore]

    from patron.channels.email.mailboxes import open_mailbox
    from patron.channels.services import (
        IngestOutcome,
        IngestResult,
        ingest_archive,
        ingest_email,
        process_unprocessed_emails,
    )

    counts: Counter[str] = Counter()

    def report(where: str, result: IngestResult) -> None:
        counts[result.outcome] += 1
        if args.json:
            line = {"source": where, "outcome": str(result.outcome), "reason": result.reason}
            print(json.dumps({**line, "case": result.case_reference}))
        elif result.outcome == IngestOutcome.QUARANTINED:
            tqdm.write(f"{where}: quarantined. {result.reason}", file=sys.stderr)

    # Every path is checked before any email is taken in, so a mistyped path changes nothing.
    boxes = [open_mailbox(Path(path)) for path in args.paths]
    # Emails a stopped run stored but never processed; recent ones may be another run's work.
    for result in process_unprocessed_emails(received_before=timezone.now() - timedelta(minutes=5)):
        report(f"email {result.inbound_id} (left by an earlier run)", result)
    if not args.paths:
        report("stdin", ingest_email(sys.stdin.buffer.read(), source="stdin"))
    show_progress = not args.json and sys.stderr.isatty()
    for box in boxes:
        emails = tqdm(
            box.emails(),
            total=box.count,
            desc=box.path.name,
            unit=" emails",
            file=sys.stderr,
            disable=not (show_progress and box.is_archive),
        )
        if box.is_archive:
            for number, result in enumerate(ingest_archive(emails, source=box.source), start=1):
                report(f"{box.path} #{number}", result)
        else:
            for raw in emails:
                report(str(box.path), ingest_email(raw, source=box.source))
    stored, duplicates = counts[IngestOutcome.STORED], counts[IngestOutcome.DUPLICATE]
    quarantined = counts[IngestOutcome.QUARANTINED]
    if args.json:
        print(json.dumps({"stored": stored, "duplicates": duplicates, "quarantined": quarantined}))
    else:
        print(f"Emails stored: {stored:,}. Duplicates: {duplicates:,}. Quarantined: {quarantined:,}.")
    return 0


def cmd_smtpd(args: argparse.Namespace) -> int:
    import threading

    from patron.channels.smtp_receiver import controller

    server = controller(host=args.host, port=args.port, lmtp=args.lmtp)
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.set())
    server.start()
    protocol = "LMTP" if args.lmtp else "SMTP"
    print(f"Patron takes {protocol} deliveries on {args.host}:{args.port}. Press Ctrl+C to stop.", flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


def cmd_poll_mail(args: argparse.Namespace) -> int:
    import json
    import time
    from dataclasses import asdict

    from patron.channels.imap import poll_all_mailboxes

    stopped = []
    signal.signal(signal.SIGTERM, lambda signum, frame: stopped.append(True))
    while True:
        for result in poll_all_mailboxes():
            if args.json:
                print(json.dumps(asdict(result)), flush=True)
            elif result.error:
                print(f"{result.mailbox}: {result.error}", file=sys.stderr, flush=True)
            else:
                print(
                    f"{result.mailbox}: stored {result.stored}, duplicates {result.duplicates}, "
                    f"quarantined {result.quarantined}.",
                    flush=True,
                )
        if args.once or stopped:
            return 0
        try:
            time.sleep(args.interval)
        except KeyboardInterrupt:
            return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from patron.privacy.audit import verify_chain

    check = verify_chain()
    if check.intact:
        print(f"The audit trail is intact: {check.entries:,} entries, each chained to the one before.")
        return 0
    print(
        f"The audit trail is broken at entry {check.first_broken}: {check.reason}. "
        f"The {check.entries:,} entries before it are intact.",
        file=sys.stderr,
    )
    return 1


def cmd_retention_run(args: argparse.Namespace) -> int:
    from patron.privacy.retention import run_retention

    outcomes = run_retention(dry_run=args.dry_run)
    verb = "would" if args.dry_run else "did"
    for outcome in outcomes:
        what = outcome.note or f"{outcome.action} {outcome.count:,}"
        examples = f" (e.g. {', '.join(outcome.examples[:5])})" if outcome.examples else ""
        print(f"{outcome.label}, finished before {outcome.kept_until_before:%d %b %Y}: {verb} {what}{examples}")
    if args.dry_run:
        print("Dry run: nothing was changed.")
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["patron manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="patron", description="Patron, the customer service desk.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="migrate, load demo data, serve the desk and run the worker")
    run.add_argument("--host", default=os.environ.get("PATRON_HOST", "127.0.0.1"))
    run.add_argument("--port", type=int, default=int(os.environ.get("PATRON_PORT", "8000")))
    run.add_argument("--no-demo", action="store_true", help="do not load demo data")
    run.add_argument("--demo-cases", type=int, default=2400, help=argparse.SUPPRESS)
    run.set_defaults(func=cmd_run)

    migrate = commands.add_parser("migrate", help="bring the database schema up to date")
    migrate.add_argument("--verbose", action="store_true")
    migrate.set_defaults(func=cmd_migrate)

    demo = commands.add_parser("demo", help="load demo data (once; running it again changes nothing)")
    demo.add_argument("--cases", type=int, default=2400)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(func=cmd_demo)

    admin = commands.add_parser("createadmin", help="create an administrator (password from PATRON_ADMIN_PASSWORD)")
    admin.add_argument("--username", required=True)
    admin.add_argument("--email", required=True)
    admin.set_defaults(func=cmd_createadmin)

    token = commands.add_parser("token", help="API tokens")
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token; it is printed alone on the last line")
    create.add_argument("--username", required=True)
    create.add_argument("--name", default="Integration")
    create.add_argument("--role", default=None, help="cap the token at this role (default: the agent's role)")
    create.set_defaults(func=cmd_token_create)

    worker = commands.add_parser("worker", help="run background tasks")
    worker.add_argument("--interval", type=float, default=1.0)
    worker.set_defaults(func=cmd_worker)

    ingest = commands.add_parser(
        "ingest-mail", help="take in emails: message files, Maildir directories, mbox files (stdin if none)"
    )
    ingest.add_argument("paths", nargs="*", metavar="PATH", help="a message file, a Maildir or an mbox file")
    ingest.add_argument("--json", action="store_true", help="one JSON line per email; the totals on the last line")
    ingest.set_defaults(func=cmd_ingest_mail)

    smtpd = commands.add_parser("smtpd", help="receive email by SMTP (or LMTP from a local mail server)")
    smtpd.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    smtpd.add_argument("--port", type=int, default=8025, help="port to listen on (default 8025)")
    smtpd.add_argument("--lmtp", action="store_true", help="speak LMTP, for delivery from Postfix or Exim")
    smtpd.set_defaults(func=cmd_smtpd)

    poll = commands.add_parser("poll-mail", help="collect new email from the IMAP mailboxes set up in the admin")
    poll.add_argument("--once", action="store_true", help="poll each mailbox once and stop (for cron)")
    poll.add_argument("--interval", type=float, default=60.0, help="seconds between polls (default 60)")
    poll.add_argument("--json", action="store_true", help="one JSON line per mailbox and poll")
    poll.set_defaults(func=cmd_poll_mail)

    audit = commands.add_parser("audit", help="the audit trail")
    audit_commands = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    verify = audit_commands.add_parser("verify", help="check the hash chain; name the first broken entry")
    verify.set_defaults(func=cmd_audit_verify)

    retention = commands.add_parser("retention", help="the retention schedule")
    retention_commands = retention.add_subparsers(dest="retention_command", required=True, metavar="ACTION")
    retention_run = retention_commands.add_parser("run", help="anonymise or delete what the schedule says is due")
    retention_run.add_argument("--dry-run", action="store_true", help="say what would go; change nothing")
    retention_run.set_defaults(func=cmd_retention_run)

    manage = commands.add_parser("manage", help="Django's management commands, for operators")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_django()
    from patron.errors import DomainError

    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except DomainError as error:
        print(error.message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
