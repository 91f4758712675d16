#!/usr/bin/env python3
"""Reads Kaeru's exports with independent parsers and prints what they hold as JSON.

read_exports.py CSV_SJIS XLSX VCF  →  {"csv": [[...]], "xlsx": [[...]], "vcards": [{fn, n, kana, email, tel}]}
"""
import csv, io, json, sys

import openpyxl
import vobject

sjis, xlsx, vcf = sys.argv[1:4]
with open(sjis, "rb") as f:
    rows = list(csv.reader(io.StringIO(f.read().decode("cp932"))))
wb = openpyxl.load_workbook(xlsx, read_only=True)
ws = wb.worksheets[0]
xrows = [["" if c is None else str(c) for c in r] for r in ws.iter_rows(values_only=True)]
cards = []
with open(vcf, encoding="utf-8") as f:
    for card in vobject.readComponents(f.read()):
        cards.append({
            "fn": card.fn.value,
            "family": card.n.value.family,
            "given": card.n.value.given,
            "kana": card.contents["x-phonetic-last-name"][0].value + " " + card.contents["x-phonetic-first-name"][0].value,
            "email": card.email.value if hasattr(card, "email") else "",
            "tel": card.tel.value if hasattr(card, "tel") else "",
        })
print(json.dumps({"csv": rows, "xlsx": xrows, "vcards": cards}, ensure_ascii=False))
