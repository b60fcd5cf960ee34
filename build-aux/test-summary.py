#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Sum up meson testlog.json files into one line CI can read.

Usage: test-summary.py [--extra-failed N] LABEL=PATH/testlog.json ...

Prints one line per run, the names of the tests that did not pass, and
last, alone on its line: "N passed, N failed, N skipped". Exits 1 when
anything failed (N failed > 0), else 0.
"""

import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}
# everything else (FAIL, TIMEOUT, ERROR, UNEXPECTEDPASS, ...) is a failure


def main(argv):
    extra_failed = 0
    runs = []
    args = list(argv)
    while args:
        a = args.pop(0)
        if a == "--extra-failed":
            extra_failed = int(args.pop(0))
        else:
            label, _, path = a.rpartition("=")
            runs.append((label or path, path))

    total_pass = total_fail = total_skip = 0
    for label, path in runs:
        n_pass = n_fail = n_skip = 0
        failed = []
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                for line in f:
                    line = line.strip()
                    if not line:
                        continue
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        continue
                    result = entry.get("result", "")
                    if result in PASSED:
                        n_pass += 1
                    elif result in SKIPPED:
                        n_skip += 1
                    else:
                        n_fail += 1
                        failed.append("%s (%s)" % (entry.get("name", "?"), result))
        except OSError as e:
            print("%s: cannot read %s: %s" % (label, path, e.strerror))
            n_fail += 1
        # worded differently from the total on purpose: only the last
        # line is the "N passed, N failed" one.
        print("[%s] ok %d, failed %d, skipped %d" % (label, n_pass, n_fail, n_skip))
        for name in failed:
            print("  FAILED %s" % name)
        total_pass += n_pass
        total_fail += n_fail
        total_skip += n_skip

    if extra_failed:
        print("steps that failed without test results: %d" % extra_failed)
    total_fail += extra_failed
    print("%d passed, %d failed, %d skipped" % (total_pass, total_fail, total_skip))
    return 1 if total_fail else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
