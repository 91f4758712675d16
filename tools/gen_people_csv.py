#!/usr/bin/env python3
"""gen_people_csv.py N OUT [--sjis]: a SmartHR-like export of N people for the import benchmark.

Fifteen columns (employee number, names, readings, birth date, hire and leaving dates, reason, department, job
title, employment type, e-mail, phone, prefecture); 60 % leavers. UTF-8 by default, Shift_JIS (cp932, the way
Japanese HR systems and Excel write CSV) with --sjis.
"""
import random, sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
n, out = int(args[0]), args[1]
encoding = "cp932" if "--sjis" in sys.argv else "utf-8"
random.seed(1)
fam = [("山田", "やまだ"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("中村", "なかむら"), ("小林", "こばやし"), ("髙橋", "たかはし"), ("齋藤", "さいとう")]
giv = [("太郎", "たろう"), ("花子", "はなこ"), ("一郎", "いちろう"), ("美咲", "みさき"), ("翔", "しょう"), ("陽子", "ようこ")]
deps = ["製造部", "営業部", "総務部", "設計部", "品質保証部"]
titles = ["", "主任", "係長", "課長", "部長"]
prefs = ["静岡県", "愛知県", "東京都", "神奈川県", "大阪府"]
with open(out, "w", encoding=encoding, newline="") as f:
    f.write("社員番号,姓,名,姓（ヨミガナ）,名（ヨミガナ）,生年月日,入社年月日,退職年月日,退職事由,部署,役職,雇用形態,メールアドレス,電話番号,都道府県\r\n")
    for i in range(n):
        a, ak = random.choice(fam)
        b, bk = random.choice(giv)
        y, hy = random.randint(1960, 2000), random.randint(1990, 2024)
        leave = f"{random.randint(hy + 1, 2026)}/03/31" if random.random() < 0.6 and hy < 2026 else ""
        reason = "自己都合" if leave else ""
        phone = f"090-{random.randint(1000, 9999)}-{random.randint(1000, 9999)}"
        f.write(f"E{i:06d},{a},{b},{ak},{bk},{y}/{random.randint(1, 12)}/{random.randint(1, 28)},{hy}/04/01,{leave},{reason},"
                f"{random.choice(deps)},{random.choice(titles)},正社員,p{i}@example.jp,{phone},{random.choice(prefs)}\r\n")
