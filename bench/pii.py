"""Speed and accuracy of finding personal data in free text (`patron.privacy.pii`).

    .venv/bin/python bench/pii.py [--repeat N]

1. Speed: `find_pii` over every sentence of Presidio's two synthetic sets (1,600 sentences), the
   best of N runs after a warm-up, as sentences per second; `mask_pii` with the default kinds
   the same way. Target: at least 2,000 sentences a second on one core, so checking a message
   never shows in the time a page or an intake takes.
2. Accuracy: precision, recall and F1 for each kind on Presidio's sets and on the two UK sets
   in tests/privacy/data, scored as tests/privacy/pii_corpus.py describes (a finding counts when
   it overlaps a labelled span of its kind). Target: F1 at least 0.9 for card numbers, IBANs,
   email addresses and phone numbers on each set.

Results are printed and written to bench/results/pii.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "pii.json"
TARGET_SENTENCES_PER_SECOND = 2_000
TARGET_F1 = 0.9


def speed(texts: list[str], repeat: int) -> dict[str, int]:
    from patron.privacy.pii import find_pii, mask_pii

    rates = {}
    for name, action in (("find_pii", find_pii), ("mask_pii", mask_pii)):
        for text in texts:  # warm-up: compiled patterns, the phone number metadata
            action(text)
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            for text in texts:
                action(text)
            best = min(best, time.perf_counter() - started)
        rates[name] = round(len(texts) / best)
    return rates


def accuracy() -> dict[str, dict[str, Any]]:
    from tests.privacy import pii_corpus

    sets = {
        "presidio (synth_dataset_v2 + generated_small)": (pii_corpus.load_presidio(), pii_corpus.PRESIDIO_TYPES),
        "UK desk (uk_pii_desk.json)": (pii_corpus.load(pii_corpus.UK_DESK), pii_corpus.UK_TYPES),
        "UK earlier (uk_pii.json)": (pii_corpus.load(pii_corpus.UK_EARLIER), pii_corpus.UK_TYPES),
    }
    report: dict[str, dict[str, Any]] = {}
    for name, (records, types) in sets.items():
        scores = pii_corpus.score(records, types)
        report[name] = {
            "sentences": len(records),
            "kinds": {
                kind.value: {
                    "labelled": result.labelled,
                    "found": result.found,
                    "false_alarms": result.false_alarms,
                    "out_of_scope": result.out_of_scope,
                    "exact": result.exact,
                    "precision": round(result.precision, 3),
                    "recall": round(result.recall, 3),
                    "f1": round(result.f1, 3),
                    "strict_precision": round(result.strict_precision, 3),
                }
                for kind, result in scores.items()
                if result.labelled or result.right or result.false_alarms or result.out_of_scope
            },
        }
    return report


def phone_library_share() -> dict[str, int]:
    """How many of Presidio's labelled phone numbers the phonenumbers library finds on its own
    (region GB, valid numbers only), against how many `find_pii` finds: the rest are found by
    their context ("call me on …", "Fax: …")."""
    import phonenumbers
    from tests.privacy import pii_corpus

    from patron.privacy.pii import PiiKind, find_pii

    labelled = by_library = by_patron = 0
    for record in pii_corpus.load_presidio():
        text = record["full_text"]
        library = [
            (number.start, number.end)
            for number in phonenumbers.PhoneNumberMatcher(text, "GB", leniency=phonenumbers.Leniency.VALID)
        ]
        patron = [(match.start, match.end) for match in find_pii(text, kinds={PiiKind.PHONE})]
        for span in record["spans"]:
            if span["entity_type"] != "PHONE_NUMBER":
                continue
            start, end = span["start_position"], span["end_position"]
            labelled += 1
            by_library += any(a < end and start < b for a, b in library)
            by_patron += any(a < end and start < b for a, b in patron)
    return {"labelled": labelled, "library_alone": by_library, "find_pii": by_patron}


def print_errors() -> None:
    from tests.privacy import pii_corpus

    sets = (
        ("presidio", pii_corpus.load_presidio(), pii_corpus.PRESIDIO_TYPES),
        ("UK desk", pii_corpus.load(pii_corpus.UK_DESK), pii_corpus.UK_TYPES),
        ("UK earlier", pii_corpus.load(pii_corpus.UK_EARLIER), pii_corpus.UK_TYPES),
    )
    for name, records, types in sets:
        for kind in pii_corpus.TARGET_KINDS:
            for what, value, sentence in pii_corpus.errors(records, types, kind):
                print(f"  {name}, {kind.value}, {what}: {value!r} in {sentence[:100]!r}")


def table(report: dict[str, dict[str, Any]]) -> str:
    lines = []
    for name, result in report.items():
        lines.append(f"\n{name}: {result['sentences']} sentences")
        lines.append(
            f"  {'kind':<14}{'labelled':>9}{'found':>7}{'false':>7}{'out of':>8}{'exact':>7}"
            f"{'precision':>11}{'recall':>8}{'F1':>7}"
        )
        lines.append(f"  {'':<14}{'':>9}{'':>7}{'alarms':>7}{'scope':>8}")
        for kind, row in result["kinds"].items():
            lines.append(
                f"  {kind:<14}{row['labelled']:>9}{row['found']:>7}{row['false_alarms']:>7}{row['out_of_scope']:>8}"
                f"{row['exact']:>7}{row['precision']:>11.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs; the best is kept")
    parser.add_argument("--errors", action="store_true", help="print every miss and false alarm of the target kinds")
    args = parser.parse_args(argv)

    from tests.privacy import pii_corpus

    texts = [record["full_text"] for record in pii_corpus.load_presidio()]
    rates = speed(texts, args.repeat)
    report = accuracy()
    phones = phone_library_share()
    targets = [kind.value for kind in pii_corpus.TARGET_KINDS]
    misses = [
        f"{name}: {kind} F1 {row['f1']}"
        for name, result in report.items()
        for kind, row in result["kinds"].items()
        if kind in targets and row["labelled"] and row["f1"] < TARGET_F1
    ]
    fast_enough = rates["find_pii"] >= TARGET_SENTENCES_PER_SECOND
    verdict = "PASS" if fast_enough and not misses else "FAIL"

    print(f"Speed over {len(texts)} sentences ({sum(map(len, texts)):,} characters), best of {args.repeat}:")
    print(f"  find_pii: {rates['find_pii']:,} sentences/s (target {TARGET_SENTENCES_PER_SECOND:,})")
    print(f"  mask_pii: {rates['mask_pii']:,} sentences/s")
    print(table(report))
    print(
        f"\nPresidio's phone numbers: {phones['library_alone']} of {phones['labelled']} found by phonenumbers "
        f"alone (GB, valid), {phones['find_pii']} by find_pii."
    )
    print(
        f"\nTarget F1 >= {TARGET_F1} for {', '.join(targets)}: "
        + ("met on every set." if not misses else "; ".join(misses))
    )
    print(f"Verdict: {verdict}")
    if args.errors:
        print_errors()

    RESULTS.parent.mkdir(exist_ok=True)
    document = {
        "machine": {"python": platform.python_version(), "processor": platform.machine()},
        "sentences": len(texts),
        "sentences_per_second": rates,
        "accuracy": report,
        "presidio_phones": phones,
        "verdict": verdict,
    }
    RESULTS.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT / "src"), str(ROOT)]
    sys.exit(main())
