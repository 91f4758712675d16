"""A day of 1,000 companies of mixed size sharing four Kaeru nodes (docs/SCALING.md).

Usage: simulate_fleet.py [--budget-mb 512] [--nodes 4] [--companies 1000] [--seed 7]
       [--bytes-per-person 700] [--rebuild-ms-per-1000 40] [--patch-ms 3]

Each company has employees drawn from the size of Japanese SMEs Kaeru is for (10–1,000 people, most small)
and three to six times as many former employees over the years. Through a working day (9:00–18:00, one-minute
steps) each company's staff make requests with a probability that grows with the company (a big company's HR
is busy all day, a small one looks in a few times), and writes in a share of them. A load balancer sends each
request to any node at random. Each node keeps a company's search and matching indexes in memory under a
budget (LRU eviction of the least recently used company when a new one would not fit). A request finds the
index (hit), patches it (the company wrote since, measured ~3 ms), or rebuilds it (evicted or never loaded:
measured cost per 1,000 people). Prints per node: peak index memory, hits, patches, rebuilds, the time spent
rebuilding, and the worst rebuild a user waited for.

The constants come from docs/PERFORMANCE.md (issue 19): index bytes per person with both indexes warm, the
rebuild cost per 1,000 people (SQLite release build; PostgreSQL loads faster), the cost of a patch.
Standard library only; deterministic for a seed.
"""
import argparse
import collections
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--budget-mb", type=float, default=512)
    ap.add_argument("--nodes", type=int, default=4)
    ap.add_argument("--companies", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bytes-per-person", type=float, default=1000)
    ap.add_argument("--rebuild-ms-per-1000", type=float, default=40)
    ap.add_argument("--patch-ms", type=float, default=3)
    ap.add_argument("--index-share", type=float, default=0.25,
                    help="share of requests that read an index (search, an opening, the portal's board)")
    ap.add_argument("--routing", choices=["random", "company"], default="random",
                    help="random: any node; company: the load balancer sends a company to one node (hash)")
    a = ap.parse_args()
    rng = random.Random(a.seed)

    companies = []
    for c in range(a.companies):
        # Employees: log-uniform between 10 and 1,000 (most companies are small).
        employees = int(10 ** rng.uniform(1, 3))
        people = employees + int(employees * rng.uniform(3, 6))
        # Requests per minute during the day: a few per hour for 10 people, about two a minute at 1,000.
        rate = 0.05 + employees / 500
        companies.append({"id": c, "people": people, "rate": rate, "write_share": rng.uniform(0.05, 0.2)})
    total_people = sum(c["people"] for c in companies)
    budget = a.budget_mb * 1024 * 1024

    class Node:
        def __init__(self):
            self.cache = collections.OrderedDict()  # company -> revision seen
            self.bytes = 0
            self.peak = 0
            self.hits = self.patches = self.rebuilds = self.evictions = 0
            self.rebuild_ms = 0.0
            self.worst_ms = 0.0

        def size(self, c):
            return companies[c]["people"] * a.bytes_per_person

        def request(self, c, revision):
            if c in self.cache:
                self.cache.move_to_end(c)
                if self.cache[c] == revision:
                    self.hits += 1
                else:
                    self.patches += 1
                    self.cache[c] = revision
                return
            ms = companies[c]["people"] / 1000 * a.rebuild_ms_per_1000
            self.rebuilds += 1
            self.rebuild_ms += ms
            self.worst_ms = max(self.worst_ms, ms)
            need = self.size(c)
            while self.cache and self.bytes + need > budget:
                old, _ = self.cache.popitem(last=False)
                self.bytes -= self.size(old)
                self.evictions += 1
            self.cache[c] = revision
            self.bytes += need
            self.peak = max(self.peak, self.bytes)

    nodes = [Node() for _ in range(a.nodes)]
    revision = [0] * a.companies
    requests = writes = indexed = 0
    for minute in range(9 * 60):
        for c in companies:
            n = 0
            r = c["rate"]
            # Poisson-ish: whole requests plus a chance of one more.
            n = int(r) + (1 if rng.random() < r - int(r) else 0)
            for _ in range(n):
                requests += 1
                if rng.random() < c["write_share"]:
                    writes += 1
                    revision[c["id"]] += 1
                    continue
                if rng.random() >= a.index_share:
                    continue
                indexed += 1
                node = nodes[c["id"] % a.nodes] if a.routing == "company" else rng.choice(nodes)
                node.request(c["id"], revision[c["id"]])

    print(f"{a.companies} companies, {total_people:,} people in all (largest {max(c['people'] for c in companies):,}); "
          f"{requests:,} requests ({indexed:,} reading an index) and {writes:,} writes in a 9-hour day; "
          f"{a.nodes} nodes, routing {a.routing}, index budget {a.budget_mb:.0f} MB each at "
          f"{a.bytes_per_person:.0f} bytes a person")
    print(f"all companies' indexes together: {total_people * a.bytes_per_person / 1048576:.0f} MB")
    print("node | peak index MB | hits | patches | rebuilds | evictions | rebuild time | worst wait")
    for i, n in enumerate(nodes):
        print(f"{i + 1} | {n.peak / 1048576:.0f} | {n.hits:,} | {n.patches:,} | {n.rebuilds:,} | {n.evictions:,} | "
              f"{n.rebuild_ms / 1000:.1f} s | {n.worst_ms:.0f} ms")
    served = sum(n.hits + n.patches for n in nodes)
    print(f"index reads answered from a warm index (hit or patch): {served / max(indexed, 1) * 100:.1f} %")


if __name__ == "__main__":
    main()
