"""The first search and the first opening ranking after a write, timed (issue 19, goal 1).

Usage: scale_bench.py WRITE_BASE READ_BASE TOKEN [WRITES]

WRITE_BASE and READ_BASE are two Kaeru nodes (the same one twice for a single node; two processes on one
PostgreSQL database for the two-node case), TOKEN an API token with write scope of the company. The script
makes an opening that asks for the company's first skill, then WRITES times: changes one person's note on the
writing node (PATCH /api/v1/people/{id}), at once searches for the new word on the reading node and checks the
one person is found, then changes another person's note and at once asks the reading node for the opening's
ranking. Prints the median, p99 and maximum of each, in milliseconds. Standard library only.
"""
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request


def call(base, token, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method, headers={
        "Authorization": "Bearer " + token,
        "Content-Type": "application/json",
    })
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def timed(f):
    start = time.perf_counter()
    out = f()
    return (time.perf_counter() - start) * 1000, out


def summary(name, xs):
    xs = sorted(xs)
    p99 = xs[min(len(xs) - 1, int(round(0.99 * (len(xs) - 1))))]
    print(f"{name}: n={len(xs)} median={statistics.median(xs):.1f} ms p99={p99:.1f} ms max={xs[-1]:.1f} ms")


def main():
    write_base, read_base, token = sys.argv[1].rstrip("/"), sys.argv[2].rstrip("/"), sys.argv[3]
    writes = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    skills = call(read_base, token, "GET", "/api/v1/skills")
    skill = (skills.get("items") if isinstance(skills, dict) else skills)[0]["id"]
    opening = call(write_base, token, "POST", "/api/v1/openings", {
        "title": "ベンチマーク用の求人", "work_style": "full_time",
        "required": [{"skill_id": skill, "min_level": 3}],
    })
    people = call(read_base, token, "GET", "/api/v1/people?per_page=100")["items"]
    # Warm both nodes' indexes first: the figures are about the cost of a write, not of a cold start.
    call(read_base, token, "GET", "/api/v1/people?q=warm")
    call(read_base, token, "GET", f"/api/v1/openings/{opening['id']}/matches")
    searches, rankings = [], []
    stamp = int(time.time())
    for i in range(writes):
        word = f"合言葉{stamp}x{i}"
        call(write_base, token, "PATCH", f"/api/v1/people/{people[2 * i]['id']}", {"notes": word})
        ms, found = timed(lambda: call(read_base, token, "GET", "/api/v1/people?q=" + urllib.parse.quote(word)))
        assert found["total"] == 1 and found["items"][0]["id"] == people[2 * i]["id"], found
        searches.append(ms)
        call(write_base, token, "PATCH", f"/api/v1/people/{people[2 * i + 1]['id']}", {"notes": word + "b"})
        ms, _ = timed(lambda: call(read_base, token, "GET", f"/api/v1/openings/{opening['id']}/matches"))
        rankings.append(ms)
    summary("first search after a write", searches)
    summary("first opening ranking after a write", rankings)


if __name__ == "__main__":
    main()
