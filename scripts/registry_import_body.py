"""The registry import that scripts/bench-load and scripts/bench-import send: 10,000 households of
4 persons each in four villages of Musi Banyuasin (a few are skipped where a NIK repeats), as
the JSON body of POST /api/v1/registry/import, written to the file named by the first argument."""
import datetime
import json
import random
import sys

random.seed(7)
villages = ["16.06.01.2001", "16.06.02.2005", "16.06.05.2003", "16.06.10.2004"]
seen, households = set(), []
for i in range(10000):
    kk = "1606" + f"{1 + i // 9999:02d}" + "010120" + f"{i % 9999 + 1:04d}"
    members = []
    for m in range(4):
        born = datetime.date(1960, 1, 1) + datetime.timedelta(days=random.randrange(20000))
        female = m % 2 == 1
        nik = ("160601" + f"{born.day + (40 if female else 0):02d}{born.month:02d}{born.year % 100:02d}"
               + f"{5000 + (i * 4 + m) % 4000:04d}")
        members.append({"nik": nik, "name": f"Warga Uji {i}-{m}", "birth_date": born.isoformat(),
                        "sex": "F" if female else "M", "relationship": "head" if m == 0 else "child"})
    if any(m["nik"] in seen for m in members):
        continue
    seen.update(m["nik"] for m in members)
    households.append({"kk": kk, "region_code": villages[i % 4], "address": f"RT {i % 30:03d}",
                       "decile": 1 + i % 10, "members": members})
json.dump({"source": "DTSEN", "as_of": "2025-06-30", "households": households}, open(sys.argv[1], "w"))
