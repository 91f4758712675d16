#!/usr/bin/env python3
"""What a node's heap holds, by the innermost Kaeru (or SQLite, argon2) function that allocated it.

Usage (docs/PERFORMANCE.md, "Memory, third pass"):
  1. a release build with the system allocator (heaptrack sees malloc, not mimalloc's own entry points):
     comment out `#[global_allocator]` in crates/kaeru/src/main.rs and the `override` feature in its Cargo.toml;
  2. heaptrack -o /tmp/ht target/release/kaeru serve, sign in and visit the pages, wait, then kill -9 it
     (what is still allocated at that moment is reported as "leaked");
  3. heaptrack_print -f /tmp/ht.zst --print-leaks 0 --print-peaks 0 --print-allocators 0 \
        --print-temporary 0 --flamegraph-cost-type leaked -F /tmp/leak.stacks
  4. tools/heap_by_caller.py /tmp/leak.stacks
"""
import collections
import re
import sys

OURS = re.compile(r"kaeru_(?:app|search|store|web|worker|domain)::[A-Za-z_:]+|sqlite3[A-Za-z_]+|argon2")


def main(path: str) -> None:
    total = 0
    by = collections.Counter()
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, n = line.rstrip("\n").rpartition(" ")
        if not n.isdigit():
            continue
        total += int(n)
        key = "(elsewhere)"
        for frame in reversed(stack.split(";")):
            m = OURS.search(frame)
            if m:
                key = m.group(0)
                break
        by[key] += int(n)
    print(f"{total / 1e6:8.2f} MB held in all")
    for key, n in by.most_common(25):
        print(f"{n / 1e6:8.2f} MB {key}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/leak.stacks")
