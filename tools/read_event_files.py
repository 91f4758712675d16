#!/usr/bin/env python3
"""Reads Kaeru's event files back with independent parsers and prints what they hold as JSON.

    read_event_files.py --ics FILE [--ics FILE ...] [--xlsx FILE] [--csv FILE]

Calendar files through Python's icalendar (UID, DTSTAMP, SEQUENCE, DTSTART with its TZID, whether the
VTIMEZONE block is there, STATUS, the VALARM trigger, raw line lengths in octets); XLSX through openpyxl;
CSV (UTF-8 with BOM) through the csv module.
"""
import argparse
import csv
import json

import icalendar
import openpyxl


def read_ics(path):
    raw = open(path, "rb").read()
    cal = icalendar.Calendar.from_ical(raw)
    events = [c for c in cal.walk("VEVENT")]
    zones = [str(z.get("TZID")) for z in cal.walk("VTIMEZONE")]
    ev = events[0]
    start = ev.decoded("DTSTART")
    alarms = [str(a.get("TRIGGER").to_ical().decode()) for a in ev.walk("VALARM")]
    lines = raw.split(b"\r\n")
    return {
        "method": str(cal.get("METHOD")),
        "uid": str(ev.get("UID")),
        "dtstamp": ev.decoded("DTSTAMP").isoformat(),
        "sequence": int(ev.get("SEQUENCE")),
        "summary": str(ev.get("SUMMARY")),
        "location": str(ev.get("LOCATION", "")),
        "status": str(ev.get("STATUS")),
        "dtstart": start.isoformat(),
        "dtstart_tzid": ev["DTSTART"].params.get("TZID", ""),
        "vtimezones": zones,
        "alarms": alarms,
        "crlf_only": b"\n" not in raw.replace(b"\r\n", b""),
        "longest_line": max(len(l) for l in lines),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ics", action="append", default=[])
    ap.add_argument("--xlsx")
    ap.add_argument("--csv")
    a = ap.parse_args()
    out = {"ics": [read_ics(p) for p in a.ics]}
    if a.xlsx:
        wb = openpyxl.load_workbook(a.xlsx)
        ws = wb.active
        out["xlsx"] = [[("" if c is None else str(c)) for c in row] for row in ws.iter_rows(values_only=True)]
    if a.csv:
        with open(a.csv, encoding="utf-8-sig", newline="") as f:
            out["csv"] = list(csv.reader(f))
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    main()
