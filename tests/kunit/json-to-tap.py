#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn kunit.py's --json result into flat TAP for tap-tally.

One line per KUnit test case: "ok - kunit <suite>.<case>". A
parameterised case is one test (it passes only if every parameter
passes); its failing parameters are listed as "# " comments, and its
parameter count is shown. A suite that reported no case at all (it
crashed or its init failed) is one failing line of its own, and so is a
run in which no case ran. Exit status 0 if every case passed and at
least one ran, 1 otherwise.

Usage: json-to-tap.py <kunit-result.json>
"""

import json
import sys

PASSING = ("PASS", "SKIP")


def case_line(ok, name, note=""):
    status = "ok" if ok else "not ok"
    return f"{status} - kunit {name}{note}"


def walk_suite(suite, out):
    """Emit lines for one suite; returns (ran, failed)."""
    ran = failed = 0
    name = suite["name"]
    for case in suite.get("test_cases", []):
        ran += 1
        status = case["status"]
        if status == "SKIP":
            out.append(case_line(True, f"{name}.{case['name']}", " # SKIP"))
        elif status in PASSING:
            out.append(case_line(True, f"{name}.{case['name']}"))
        else:
            failed += 1
            out.append(case_line(False, f"{name}.{case['name']}",
                                 f" ({status})"))
    # A sub-group inside a suite is a parameterised case.
    for param_case in suite.get("sub_groups", []):
        ran += 1
        params = param_case.get("test_cases", [])
        bad = [p for p in params if p["status"] not in PASSING]
        nested = param_case.get("sub_groups", [])
        label = f"{name}.{param_case['name']}"
        note = f" ({len(params)} params)"
        if bad or nested or not params:
            failed += 1
            out.append(case_line(False, label, note))
            for p in bad:
                out.append(f"# parameter '{p['name']}': {p['status']}")
            if not params:
                out.append("# no parameter reported a result")
        else:
            out.append(case_line(True, label, note))
    return ran, failed


def main():
    if len(sys.argv) != 2:
        print("usage: json-to-tap.py <kunit-result.json>", file=sys.stderr)
        return 2
    try:
        with open(sys.argv[1], encoding="utf-8") as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        print(f"not ok - kunit results readable ({e})")
        return 1

    out = []
    ran = failed = 0
    # Top-level test cases are suites that reported no cases of their own.
    for suite in root.get("test_cases", []):
        ran += 1
        if suite["status"] in PASSING:
            out.append(f"# suite {suite['name']} reported no test case")
            ran -= 1
        else:
            failed += 1
            out.append(case_line(False, f"{suite['name']}",
                                 f" (suite {suite['status']}, no case ran)"))
    for suite in root.get("sub_groups", []):
        r, f = walk_suite(suite, out)
        ran += r
        failed += f
    if not ran:
        out.append("not ok - kunit test cases ran (none reported a result)")
    print("\n".join(out))
    return 0 if ran and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
