#!/usr/bin/env python3
"""Recomputes Kaeru's analytics independently from `kaeru export stints` and compares them with the API.

    check_analytics.py stints.csv turnover.json returns.json retention.json

Written apart from the Rust code, from the definitions on the pages: turnover as the labour ministry defines
it, the boomerang share, return rates by year of leaving, time away, and Kaplan–Meier survival at 12 and 24
months. Prints what it compared and exits 1 on the first difference."""
import csv, json, sys
from datetime import date

REGULAR = {"full_time", "fixed_term", "part_time", "reemployed"}
NOT_VOLUNTARY = {"retirement", "company_reasons"}


def d(s):
    return date.fromisoformat(s) if s else None


def load(path):
    with open(path, encoding="utf-8-sig") as f:
        return [
            {**r, "start": d(r["start_date"]), "end": d(r["end_date"])}
            for r in csv.DictReader(f)
            if r["employment_type"] in REGULAR
        ]


def fail(what, mine, theirs):
    print(f"DIFFERENT {what}: recomputed {mine!r}, Kaeru {theirs!r}")
    sys.exit(1)


def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) < 1e-6


def kaplan_meier(obs, days):
    """obs: (days followed, left). S(days), or None when nobody was followed that long."""
    if not obs or max(t for t, _ in obs) < days:
        return None
    s = 1.0
    for t in sorted({t for t, e in obs if e}):
        if t > days:
            break
        at_risk = sum(1 for u, _ in obs if u >= t)
        deaths = sum(1 for u, e in obs if u == t and e)
        s *= 1 - deaths / at_risk
    return s


def main():
    stints = load(sys.argv[1])
    turnover, returns, retention = (json.load(open(p, encoding="utf-8")) for p in sys.argv[2:5])
    today = date.fromisoformat(turnover["today"])
    checked = 0

    for y in turnover["figures"]["years"]:
        jan1, dec31 = date(y["year"], 1, 1), min(date(y["year"], 12, 31), today)
        base = sum(1 for s in stints if s["start"] <= jan1 and (s["end"] is None or s["end"] >= jan1))
        gone = [s for s in stints if s["end"] and jan1 <= s["end"] <= dec31]
        vol = sum(1 for s in gone if s["leave_reason"] and s["leave_reason"] not in NOT_VOLUNTARY)
        regret = sum(1 for s in gone if s["rehire_eligibility"] == "welcome")
        rate = len(gone) * 100 / base if base else None
        for name, mine in (("base", base), ("leavers", len(gone)), ("voluntary", vol), ("regrettable", regret)):
            if mine != y[name]:
                fail(f"turnover {y['year']} {name}", mine, y[name])
        if not close(rate, y["rate"]):
            fail(f"turnover {y['year']} rate", rate, y["rate"])
        checked += 1

    by_person = {}
    for s in stints:
        by_person.setdefault(s["person_id"], []).append(s)
    returns_of, returned_from, away = [], set(), []
    for ss in by_person.values():
        ss.sort(key=lambda s: s["start"])
        for prev, s in zip(ss, ss[1:]):
            if prev["end"] and prev["end"] < s["start"]:
                returns_of.append(s)
                returned_from.add(id(prev))
                if s["start"] <= today:
                    away.append((s["start"] - prev["end"]).days)
    rehire_ids = {id(s) for s in returns_of}
    for y in returns["figures"]["years"]:
        hires = [s for s in stints if s["start"].year == y["year"] and s["start"] <= today]
        rehires = sum(1 for s in hires if id(s) in rehire_ids)
        if (len(hires), rehires) != (y["hires"], y["rehires"]):
            fail(f"hires {y['year']}", (len(hires), rehires), (y["hires"], y["rehires"]))
        checked += 1
    for c in returns["figures"]["cohorts"]:
        left = [s for s in stints if s["end"] and s["end"].year == c["year"] and s["end"] <= today]
        eligible = [s for s in left if s["rehire_eligibility"] != "not_eligible"]
        back = sum(1 for s in eligible if id(s) in returned_from)
        if (len(left), len(eligible), back) != (c["leavers"], c["eligible"], c["returned"]):
            fail(f"cohort {c['year']}", (len(left), len(eligible), back), (c["leavers"], c["eligible"], c["returned"]))
        checked += 1
    ta = returns["figures"]["time_away"]
    if len(away) != ta["returns"]:
        fail("returns", len(away), ta["returns"])
    if away:
        away.sort()
        n = len(away)
        mid = away[n // 2] if n % 2 else (away[n // 2 - 1] + away[n // 2]) // 2
        if round(mid / 30.44, 1) != ta["median_months"]:
            fail("median months away", round(mid / 30.44, 1), ta["median_months"])
    checked += 1

    groups = {"returners": [], "outside": []}
    for s in stints:
        if s["start"] > today:
            continue
        left = s["end"] is not None and s["end"] <= today
        t = ((s["end"] if left else today) - s["start"]).days
        groups["returners" if id(s) in rehire_ids else "outside"].append((t, left))
    for g, obs in groups.items():
        theirs = retention["figures"][g]
        if len(obs) != theirs["n"] or sum(1 for _, e in obs if e) != theirs["left"]:
            fail(f"{g} counts", (len(obs), sum(1 for _, e in obs if e)), (theirs["n"], theirs["left"]))
        for days, key in ((365, "s12"), (730, "s24")):
            mine = kaplan_meier(obs, days)
            if not close(mine, theirs[key]):
                fail(f"{g} {key}", mine, theirs[key])
        for days, key in ((365, "at_risk_12"), (730, "at_risk_24")):
            mine = sum(1 for t, _ in obs if t >= days)
            if mine != theirs[key]:
                fail(f"{g} {key}", mine, theirs[key])
        checked += 1
    print(f"analytics agree: {len(stints)} regular stints, {checked} figures recomputed and equal")


if __name__ == "__main__":
    main()
