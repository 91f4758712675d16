#!/usr/bin/env python3
"""gen_people_csv.py N OUT: a SmartHR-like export of N people (UTF-8), for the import benchmark."""
import random, sys

n, out = int(sys.argv[1]), sys.argv[2]
random.seed(1)
fam = [("山田", "やまだ"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"), ("渡辺", "わたなべ"), ("中村", "なかむら"), ("小林", "こばやし")]
giv = [("太郎", "たろう"), ("花子", "はなこ"), ("一郎", "いちろう"), ("美咲", "みさき"), ("翔", "しょう"), ("陽子", "ようこ")]
deps = ["製造部", "営業部", "総務部", "設計部", "品質保証部"]
with open(out, "w", encoding="utf-8") as f:
    f.write("社員番号,姓,名,姓（ヨミガナ）,名（ヨミガナ）,生年月日,入社年月日,退職年月日,退職事由,部署,雇用形態,メールアドレス\n")
    for i in range(n):
        a, ak = random.choice(fam)
        b, bk = random.choice(giv)
        y, hy = random.randint(1960, 2000), random.randint(1990, 2024)
        leave = f"{random.randint(hy + 1, 2026)}/03/31" if random.random() < 0.6 and hy < 2026 else ""
        reason = "自己都合" if leave else ""
        f.write(f"E{i:06d},{a},{b},{ak},{bk},{y}/{random.randint(1, 12)}/{random.randint(1, 28)},{hy}/04/01,{leave},{reason},{random.choice(deps)},正社員,p{i}@example.jp\n")
