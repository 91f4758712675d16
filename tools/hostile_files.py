"""Hostile import files against a running Kaeru (issue 13, part 3), while /healthz is polled and the server's
memory watched.

Usage: hostile_files.py BASE_URL EMAIL PASSWORD SERVER_PID OUT_DIR
Writes corner.xlsx (cells at A1 and XFD1048576), bomb.xlsx (a 300 MB sheet in a zip of about 300 KB) and
wide.csv (1,000,000 columns) into OUT_DIR (reuse them with `kaeru import people FILE`), uploads each on the
import page as that user, and prints the status, the answer's size, the slowest /healthz during the upload and
the server's peak resident memory (VmHWM is per process, so start a fresh server to read it per file).
"""
import http.cookiejar
import io
import os
import re
import sys
import threading
import time
import urllib.parse
import urllib.request
import zipfile

SHEET_HEAD = ('<?xml version="1.0" encoding="UTF-8"?><worksheet '
              'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              '<dimension ref="A1:XFD1048576"/>')
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
    "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
}


def xlsx(sheet_data, padding_mb=0):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, body in PARTS.items():
            z.writestr(name, body)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            f.write((SHEET_HEAD + sheet_data).encode())
            block = b" " * (1024 * 1024)
            for _ in range(padding_mb):
                f.write(block)
            f.write(b"</sheetData></worksheet>" if padding_mb else b"</worksheet>")
    return out.getvalue()


def files():
    corner = xlsx('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c></row>'
                  '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')
    bomb = xlsx('<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>氏名</t></is></c></row>', 300)
    wide = (",".join(["a"] * 1_000_000) + "\nx\n").encode()
    return {"corner.xlsx": corner, "bomb.xlsx": bomb, "wide.csv": wide}


def rss_peak(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def main():
    base, email, password, pid, out = sys.argv[1:6]
    os.makedirs(out, exist_ok=True)
    made = files()
    for name, data in made.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    jar = http.cookiejar.CookieJar()
    web = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    token = lambda path: re.search(r'name="_csrf" value="([0-9a-f]{64})"', web.open(base + path).read().decode()).group(1)
    web.open(base + "/login", urllib.parse.urlencode({"_csrf": token("/login"), "email": email, "password": password}).encode()).read()
    for name, data in made.items():
        csrf = token("/people/import")
        boundary = "kaeru-hostile"
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n{csrf}\r\n'
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
                'Content-Type: application/octet-stream\r\n\r\n').encode() + data + f"\r\n--{boundary}--\r\n".encode()
        slowest = [0.0]
        done = threading.Event()

        def poll():
            while not done.is_set():
                t = time.perf_counter()
                urllib.request.urlopen(base + "/healthz").read()
                slowest[0] = max(slowest[0], time.perf_counter() - t)
                time.sleep(0.05)

        poller = threading.Thread(target=poll)
        poller.start()
        started = time.perf_counter()
        req = urllib.request.Request(base + "/people/import", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        try:
            r = web.open(req)
            status, answer = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, answer = e.code, e.read()
        took = time.perf_counter() - started
        done.set()
        poller.join()
        message = re.search(r'<p class="field-error"[^>]*>([^<]+)|role="alert"[^>]*>([^<]+)', answer.decode())
        print(f"{name} ({len(data) / 1024:.0f} KB): HTTP {status} in {took:.2f} s, answer {len(answer) / 1024:.0f} KB, "
              f"slowest /healthz {slowest[0] * 1000:.0f} ms, server peak RSS {rss_peak(pid)} MB")


main()
