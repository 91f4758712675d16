#!/usr/bin/env python3
"""The first home page after each write (issue 19, docs/PERFORMANCE.md): PATCHes a note through the API, then
GETs / at once and times it.

Usage: tools/home_after_write.py BASE TOKEN SESSION_COOKIE WRITES [SECONDS_BETWEEN]
"""
import json, sys, time, urllib.request
base, token, cookie, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
def api(method, path, body=None):
    req = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return json.loads(r.read() or b"null")
def home():
    req = urllib.request.Request(base + "/", headers={"Cookie": f"kaeru_session={cookie}"})
    t = time.perf_counter()
    with urllib.request.urlopen(req) as r:
        body = r.read()
    return (time.perf_counter() - t) * 1000, len(body)
people = api("GET", "/api/v1/people?per_page=100")["items"]
home(); time.sleep(3)
times = []
for i in range(n):
    api("PATCH", f"/api/v1/people/{people[i]['id']}", {"notes": f"home-after-write {i} {time.time()}"})
    ms, size = home()
    times.append(ms)
    time.sleep(float(sys.argv[5]) if len(sys.argv) > 5 else 0.5)
times.sort()
print(f"first home page after a write: n={n} median={times[n//2]:.1f} ms p99={times[-1]:.1f} ms min={times[0]:.1f} ms ({size} bytes)")
