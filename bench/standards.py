"""Speed of service standards: due times for many cases, and the worker's due checks.

    PATRON_LOCAL=1 .venv/bin/python bench/standards.py [--quick]

1. Computing the clocks (first response and resolution, in business hours with England and
   Wales bank holidays and a lunch break) for 100,000 cases of different ages, on one process:
   target under 2 s. This is the arithmetic `sync_service_levels` runs for each case.
2. The worker's check when 1,000 cases reach a warning at once (75 % of a target used, alerting
   the team lead): how long it takes and how many queries it makes per case. Target: 1,000 in
   well under a minute, with a bounded number of queries per case.

Results are printed and written to bench/results/standards.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "standards.json"


def due_times(cases: int) -> dict[str, object]:
    from patron.standards.business_time import Schedule, parse_weekly_hours
    from patron.standards.clocks import CaseHistory, readings
    from patron.standards.holidays_uk import bank_holidays

    weekdays = ("mon", "tue", "wed", "thu", "fri")
    schedule = Schedule(
        zone=ZoneInfo("Europe/London"),
        weekly=parse_weekly_hours({day: [["08:00", "12:30"], ["13:30", "18:00"]] for day in weekdays}),
        closed_dates=bank_holidays("england-and-wales"),
    )
    rng = random.Random(7)  # noqa: S311 - repeatable on purpose
    now = datetime(2026, 11, 23, 12, tzinfo=UTC)
    histories = [CaseHistory(opened_at=now - timedelta(minutes=rng.randint(0, 30 * 24 * 60))) for _ in range(cases)]
    targets = [("first_response", timedelta(hours=4)), ("resolution", timedelta(hours=40))]
    started = time.perf_counter()
    for history in histories:
        readings(targets=targets, history=history, schedule=schedule, now=now)
    seconds = time.perf_counter() - started
    return {
        "name": f"due times for {cases:,} cases (2 targets each)",
        "value": round(seconds, 2),
        "unit": "s",
        "target": 2.0,
        "verdict": "PASS" if seconds <= 2.0 else "FAIL",
    }


def worker_warnings(count: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from patron.accounts.models import Role
    from patron.accounts.services import create_agent, create_team
    from patron.cases.models import Channel
    from patron.cases.services import NewCase, open_cases
    from patron.customers.services import CustomerDetails, create_customer
    from patron.standards.models import EscalationRule, ServiceAlert
    from patron.standards.services import PolicyDetails, check_due_clocks_now, create_policy

    call_command("migrate", "-v", "0")
    team = create_team(name="Care")
    manager = create_agent(username="manager", email="m@example.com", role=Role.SERVICE_MANAGER)
    create_agent(username="lead", email="l@example.com", role=Role.TEAM_LEAD, teams=[team])
    create_policy(details=PolicyDetails(name="Standard", resolution_minutes=400, business_hours=False), by=manager)
    rule = EscalationRule(
        name="Warn at 75%",
        trigger="target_used",
        target="resolution",
        threshold_percent=75,
        actions=["notify_team_leads"],
    )
    rule.full_clean()
    rule.save()
    customer = create_customer(details=CustomerDetails(name="Pat", emails=["pat@example.com"]), by=None)
    opened = timezone.now()
    for start in range(0, count, 500):
        open_cases(
            new_cases=[
                NewCase(
                    customer=customer,
                    subject=f"Case {n}",
                    body="Hello",
                    channel=Channel.API,
                    team=team,
                    received_at=opened,
                )
                for n in range(start, min(count, start + 500))
            ],
            by=None,
        )
    when = opened + timedelta(minutes=301)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        read = 0
        while True:
            batch = check_due_clocks_now(now=when)
            read += batch
            if batch == 0:
                break
    seconds = time.perf_counter() - started
    alerts = ServiceAlert.objects.count()
    per_case = len(queries) / max(read, 1)
    return {
        "name": f"worker: {count:,} warnings due at once",
        "value": round(seconds, 2),
        "unit": "s",
        "target": 60.0,
        "alerts": alerts,
        "queries": len(queries),
        "queries_per_case": round(per_case, 1),
        "verdict": "PASS" if seconds < 60 and alerts == count else "FAIL",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes, to check the script runs")
    args = parser.parse_args(argv)
    data_dir = tempfile.mkdtemp(prefix="patron-bench-standards-")
    os.environ.update({"PATRON_DATA_DIR": data_dir, "PATRON_LOCAL": "1", "PATRON_LOG_LEVEL": "ERROR"})
    os.environ.pop("PATRON_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "patron.settings")
    import django

    django.setup()
    results = [due_times(2_000 if args.quick else 100_000), worker_warnings(50 if args.quick else 1_000)]
    for result in results:
        extra = f" ({result['queries_per_case']} queries a case)" if "queries_per_case" in result else ""
        print(
            f"{result['name']:<45} {result['value']:>8} {result['unit']}  target {result['target']} "
            f"{result['unit']}  {result['verdict']}{extra}"
        )
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(
            json.dumps({"when": datetime.now(UTC).isoformat(timespec="seconds"), "results": results}, indent=2) + "\n"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
