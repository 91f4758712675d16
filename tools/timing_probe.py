"""Sign-in timing of known vs unknown addresses, as an attacker would measure it (issue 13, part 5).

Usage: timing_probe.py BASE_URL STAFF_EMAIL PORTAL_SLUG ALUMNUS_EMAIL [TRIES]
Prints the median time of a failed staff sign-in for a known and an unknown address, and of a portal
sign-in-link request for a known and an unknown alumni address. Each try uses a fresh client with its own
CSRF cookie. Run against a server started with --demo on loopback (see docs/PERFORMANCE.md); the rate limits
allow 10 tries per account, so known/unknown pairs use distinct addresses where needed.
"""
import http.cookiejar
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request


def client():
    jar = http.cookiejar.CookieJar()
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))


def csrf(opener, url):
    html = opener.open(url).read().decode()
    return re.search(r'name="_csrf" value="([0-9a-f]{64})"', html).group(1)


def timed_post(base, page, action, fields, ip):
    opener = client()
    token = csrf(opener, base + page)
    data = urllib.parse.urlencode({"_csrf": token, **fields}).encode()
    req = urllib.request.Request(base + action, data=data, headers={"X-Forwarded-For": ip})
    start = time.perf_counter()
    try:
        opener.open(req).read()
    except urllib.error.HTTPError as e:
        e.read()
    return (time.perf_counter() - start) * 1000


def main():
    base, staff, slug, alumnus = sys.argv[1:5]
    tries = int(sys.argv[5]) if len(sys.argv) > 5 else 40
    rows = []
    for label, page, action, known, unknown, extra in [
        ("staff sign-in, wrong password", "/login", "/login", staff, "nobody{}@example.jp", {"password": "wrong password"}),
        ("portal sign-in link", f"/c/{slug}/login", f"/c/{slug}/login", alumnus, "nobody{}@example.jp", {}),
    ]:
        times = {"known": [], "unknown": []}
        for i in range(tries):
            for kind, email in (("known", known), ("unknown", unknown.format(i))):
                ms = timed_post(base, page, action, {"email": email, **extra}, f"198.51.100.{i % 250}")
                times[kind].append(ms)
        k, u = statistics.median(times["known"]), statistics.median(times["unknown"])
        rows.append((label, k, u))
    for label, k, u in rows:
        print(f"{label}: known {k:.1f} ms, unknown {u:.1f} ms, difference {abs(k - u) / max(k, u) * 100:.1f} %")


main()
