"""A tiny run of the benchmark code, so that it keeps working as the product changes. Nothing
here is timed or judged on speed; `make bench` does that."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bench import core
from django.db.models import Count, F, Q

from patron.cases.models import Case, CaseEvent, EventKind, Message
from patron.standards.models import SlaClock

TINY = core.Size(cases=60, messages=240, customers=20, service_cases=30, api_cases=4, repeat=1, batch=25)


def test_bench_builds_a_dataset_of_the_asked_size(db: None) -> None:
    dataset = core.build_dataset(TINY, progress=False)

    assert dataset["cases"] == Case.objects.count() == TINY.cases
    assert dataset["messages"] == Message.objects.count()
    assert TINY.cases * 2 < dataset["messages"] < TINY.messages * 2
    opened = Case.objects.annotate(opened=Count("events", filter=Q(events__kind=EventKind.OPENED)))
    assert set(opened.values_list("opened", flat=True)) == {1}
    assert CaseEvent.objects.exclude(message=None).count() == Message.objects.count()
    assert not Case.objects.filter(first_response_at__lt=F("created_at")).exists()


def test_bench_measures_every_figure_and_writes_the_report(db: None, tmp_path: Path) -> None:
    core.build_dataset(TINY, progress=False)

    results = core.measure_all(TINY)
    document = core.report(results, {"cases": TINY.cases}, tmp_path / "latest.json")

    names = [result.name for result in results]
    assert names[:2] == ["inbox, first page (all I may see)", "inbox, my teams' new and open cases"]
    assert "case page" in names
    searches = [name for name in names if name.startswith("search, ")]
    assert len(searches) == 3
    assert searches[0] == "search, a common word: “refund”"
    assert searches[1].startswith("search, a rare word: ")
    assert searches[2] == "search, two words: “smart meter”"
    assert names[-6:] == [
        "open cases in bulk (services)",
        "open cases through the API",
        "open cases through the API, 100 a request",
        "open cases in bulk (services), with service levels",
        "open cases through the API, with service levels",
        "a day's backlog in bulk (services), with service levels and rules",
    ]
    assert names[names.index("inbox page GET /") + 1 :][:3] == [
        "inbox, a page halfway down",
        "inbox page halfway down GET /?cursor=…",
        "inbox, the slowest view, filter or sort",
    ]
    slowest = results[names.index("inbox, the slowest view, filter or sort")]
    assert slowest.value is not None
    choices = core._inbox_choices(core.load_desk().lead)
    assert f"; {len(choices)} views, filters and sorts, " in slowest.note
    # Every view in every order, and each filter (a team and a tag the desk has among them).
    assert len(choices) == 4 * 5 + 2 * 8
    for result in results:
        assert result.verdict in {"PASS", "FAIL", "n/a"}
        assert result.value is not None or result.note, result.name
    assert Case.objects.count() >= TINY.cases + 2 * TINY.service_cases
    # The last figures are taken on a desk with service levels: their cases have clocks.
    assert SlaClock.objects.filter(case__in=Case.objects.order_by("-id")[: TINY.api_cases]).exists()
    assert "rule firings" in results[-1].note
    assert json.loads((tmp_path / "latest.json").read_text()) == document
    assert [row["name"] for row in document["results"]] == names
    printed = core.table(results)
    assert all(name in printed for name in names)


def test_bench_profiles_only_the_figures_that_miss() -> None:
    calls: list[str] = []
    missed = core.Result("slow thing", "query", 90.0, "ms", 25, action=lambda: calls.append("slow"))
    met = core.Result("quick thing", "query", 1.0, "ms", 25, action=lambda: calls.append("quick"))

    printed = core.profile([missed, met], runs=3)

    assert calls == ["slow"] * 3
    assert "=== slow thing: 3 runs" in printed
    assert "quick thing" not in printed
    assert "action" not in missed.as_dict()


def test_standards_bench_runs_at_a_tiny_size() -> None:
    """Keeps bench/standards.py working; it asserts nothing about speed."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "bench" / "standards.py"
    spec = importlib.util.spec_from_file_location("bench_standards", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.due_times(200)
    assert result["unit"] == "s"
    assert result["name"] == "due times for 200 cases (2 targets each)"


def test_the_server_clock_times_the_handler_alone(db: None) -> None:
    from django.test import Client

    client = Client()
    answer = client.handler
    clock = core.ServerClock(client)
    began = time.perf_counter()
    response = client.get("/healthz")
    wall = time.perf_counter() - began
    assert response.status_code == 200
    assert 0 < clock.last < wall

    def slow_answer(environ: dict[str, object]) -> object:
        time.sleep(0.05)
        return answer(environ)

    clock._handler = slow_answer
    assert client.get("/healthz").status_code == 200
    assert clock.last >= 0.05


def test_the_page_halfway_down_is_reached_page_by_page(db: None) -> None:
    from patron.cases.queries import InboxFilters, list_inbox

    core.build_dataset(TINY, progress=False)
    lead = core.load_desk().lead
    everything = InboxFilters()
    in_order = list_inbox(agent=lead, filters=everything, limit=10_000).items
    half = len(in_order) // 2
    assert half >= 5

    cursor, walked = core._cursor_after(lead, everything, half, page=3)

    assert walked == half
    assert list_inbox(agent=lead, filters=everything, cursor=cursor).items == in_order[half : half + 25]
