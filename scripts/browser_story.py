"""The Klaster 1 story through Padu's pages in headless Chromium, over the DevTools protocol.

Called by scripts/browser-test with: port, screenshot folder, the renovation
programme's id, the 7 households as "kk,decile" lines (five poor, one of decile 5, the last of
decile 9), Disperkim's house renovation programme's id, and a scratch folder. Exits non-zero
naming every step that failed."""
import base64
import json
import os
import sys
import time
import zipfile
from xml.sax.saxutils import escape

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from devtools import open_page  # noqa: E402

port, out, program, households, disperkim_program, scratch = sys.argv[1:7]
base = f"http://127.0.0.1:{port}"
homes = [line.split(",") for line in households.strip().splitlines()]
poor = [kk for kk, _ in homes[:6]]  # the five poor households and the one of decile 5
near = homes[5][0]
rich = homes[6][0]
failures = []
visited = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


ws = open_page(os.path.join(scratch, "chrome"))
counter = 0
last_status = {"status": None}


def call(method, **params):
    global counter
    counter += 1
    ws.send(json.dumps({"id": counter, "method": method, "params": params}))
    while True:
        message = json.loads(ws.recv())
        if message.get("method") == "Network.responseReceived" and message["params"].get("type") == "Document":
            last_status["status"] = message["params"]["response"]["status"]
        if message.get("id") == counter:
            if "error" in message:
                raise SystemExit(f"{method}: {message['error']}")
            return message.get("result", {})


def js(expression):
    result = call("Runtime.evaluate", expression=expression, returnByValue=True)
    if "exceptionDetails" in result:
        raise SystemExit(f"script failed: {expression}: {result['exceptionDetails']}")
    return result["result"].get("value")


def width(pixels):
    call("Emulation.setDeviceMetricsOverride", width=pixels, height=900, deviceScaleFactor=1, mobile=pixels < 600)


def settle(action):
    """Runs `action` (which navigates) and waits for the new document to finish loading."""
    js("window.__padu_old = true")
    action()
    for _ in range(600):
        time.sleep(0.05)
        try:
            if js("window.__padu_old === undefined && document.readyState === 'complete'"):
                break
        except SystemExit:
            pass
    else:
        raise SystemExit("the page did not load")
    page_checks()


def page_checks():
    """At 390 px no page scrolls sideways; every page weighs under 100 KB."""
    path = js("location.pathname + location.search")
    overflow = js("document.documentElement.scrollWidth - window.innerWidth")
    weight = js("new Blob([document.documentElement.outerHTML]).size")
    visited.append(path)
    check(overflow <= 0, f"{path}: no sideways scrolling at 390 px (overflow {overflow}px)")
    check(weight < 100_000, f"{path}: page under 100 KB ({weight} bytes)")


def go(path):
    settle(lambda: call("Page.navigate", url=base + path))


def text():
    return js("document.body.innerText")


def shot(name):
    for pixels in (390, 1280):
        width(pixels)
        time.sleep(0.2)
        data = base64.b64decode(call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"])
        with open(f"{out}/{name}-{pixels}.png", "wb") as f:
            f.write(data)
    width(390)


def fill(selector, value):
    js(f"document.querySelector({json.dumps(selector)}).value = {json.dumps(value)}")


def click(selector):
    settle(lambda: js(f"document.querySelector({json.dumps(selector)}).click()"))


def sign_in(username):
    call("Network.clearBrowserCookies")
    go("/")
    fill("#username", username)
    fill("#password", "browser-password")
    click("form[action='/login'] button[type=submit]")
    for _ in range(100):  # bcrypt on a busy machine: give the home page time to arrive
        if f"Masuk sebagai {username}" in text():
            break
        time.sleep(0.1)
    signed_in = f"Masuk sebagai {username}" in text()
    check(signed_in, f"{username} signs in")
    if not signed_in:
        print(f"     page at {js('location.href')} ({last_status['status']}): {text()[:400]!r}")


def write_xlsx(path, rows):
    """A minimal SpreadsheetML workbook, as Excel saves one: numbers as numbers, and the KK as
    text (a 16-digit number would lose its last digits in a spreadsheet)."""
    def cell(ref, value):
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'
    sheet_rows = "".join(
        f'<row r="{r + 1}">' + "".join(cell(f"{chr(65 + c)}{r + 1}", v) for c, v in enumerate(row)) + "</row>"
        for r, row in enumerate(rows))
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Penerima" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        'worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{sheet_rows}</sheetData></worksheet>",
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)


def row_of(kk):
    """The id of the table row that shows `kk` (`baris-N`), or None."""
    return js(f"""(() => {{ const r = [...document.querySelectorAll('tbody tr')]
        .find(r => r.innerText.includes({json.dumps(kk)})); return r ? r.id : null }})()""")


def upload(selector, path):
    document = call("DOM.getDocument")
    node = call("DOM.querySelector", nodeId=document["root"]["nodeId"], selector=selector)["nodeId"]
    call("DOM.setFileInputFiles", files=[path], nodeId=node)


call("Network.enable")
call("Page.enable")
width(390)

# Baznas uploads an XLSX of the 7 households; the check is kept as a draft and shows the flags.
sign_in("baznas")
check("Bedah Rumah Tidak Layak Huni" in text(), "Baznas' home lists its programmes")
shot("agency-home")
go(f"/program/{program}")
xlsx_path = os.path.join(scratch, "penerima.xlsx")
write_xlsx(xlsx_path, [["kk", "planned_value_idr", "planned_quantity"]] + [[kk, 20000000, 1] for kk, _ in homes])
fill("#fiscal_year", "2019")
fill("#period", "2019-Q2")
upload("#berkas", xlsx_path)
click("#cek form button[type=submit]")
check(js("location.pathname").startswith("/rencana/"), "the checked list is kept as a draft plan")
plan_path = js("location.pathname")
page = text()
check("Daftar dicek dan disimpan sebagai draf rencana" in page, "the page says the list was checked")
check("Draf" in js("document.getElementById('status-rencana').innerText"), "the new plan is a draft")
rows = js("document.querySelectorAll('table.lines tbody tr').length")
check(rows == 7, f"the check covers the 7 uploaded households ({rows} rows)")
rich_row = row_of(rich)
check(rich_row is not None and "D4" in js(f"document.getElementById('{rich_row}').innerText"),
      "the decile-9 household carries the flag D4")
check("Desil di atas 4" in page, "the legend says what D4 means")
shot("check")

# A form posted without its CSRF token is refused, and nothing changes.
js("document.querySelector(\"form[action$='/ajukan'] input[name=csrf]\").remove()")
click("form[action$='/ajukan'] button")
check(last_status["status"] == 403, f"a form without its CSRF token is refused with 403 ({last_status['status']})")
check("Formulir ini kedaluwarsa" in text(), "the refusal says why")
go(plan_path)
check("Draf" in js("document.getElementById('status-rencana').innerText"), "the refused form changed nothing")
click("form[action$='/ajukan'] button")
check("Diajukan" in js("document.getElementById('status-rencana').innerText"), "Baznas submits the plan")
shot("plan-submitted")

# Another agency cannot open the plan: 404, as if it did not exist.
sign_in("disperkim")
go(plan_path)
check(last_status["status"] == 404, f"Disperkim opening Baznas' plan gets 404 ({last_status['status']})")
check("Tidak ditemukan" in text(), "the 404 page says not found")

# Dinsos reviews: the queue, the flags, a rejection without a reason is sent back.
sign_in("dinsos")
check(plan_path in js("[...document.querySelectorAll('#antrean a')].map(a => a.pathname).join(' ')"),
      "the plan is in Dinsos' queue")
shot("coordinator-home")
go(plan_path)
check("Tinjau rencana" in text(), "Dinsos gets the review form")
rich_line = row_of(rich).split("-")[1]
near_line = row_of(near).split("-")[1]
check(js(f"document.querySelector('input[name=akui-{near_line}][value=D4]') !== null"),
      "the decile-5 household's flag D4 can be acknowledged")
check(js(f"document.querySelector('#baris-{near_line} a[href^=\\'/keluarga/\\']') !== null"),
      "the household view is a link away")
household = js(f"document.querySelector('#baris-{near_line} a[href^=\\'/keluarga/\\']').getAttribute('href')")
go(household)
check(near in text() and "Anggota keluarga" in text(), "the household view shows the family")
go(plan_path)
js(f"document.querySelector('input[name=tolak][value=\\'{rich_line}\\']').checked = true")
click("button[name=decision][value=approve]")
check(last_status["status"] == 422, f"a rejection without a reason is sent back with 422 ({last_status['status']})")
check(js(f"document.getElementById('masalah-{rich_line}') !== null"), "the problem is shown next to that line")
check(js(f"document.querySelector('input[name=tolak][value=\\'{rich_line}\\']').checked"),
      "the form keeps what the coordinator chose")
fill(f"#alasan-{rich_line}", "Desil 9: bukan sasaran bedah rumah")
# Acknowledge the flags of the lines that stay approved: the decile-5 household's D4 among them.
js(f"""document.querySelectorAll('input[type=checkbox][name^=akui-]').forEach(b => {{
    if (b.name !== 'akui-{rich_line}') b.checked = true }})""")
shot("review")
click("button[name=decision][value=approve]")
page = text()
check("Disetujui" in js("document.getElementById('status-rencana').innerText"), "Dinsos approves the plan")
check("Desil 9: bukan sasaran bedah rumah" in page, "the rejected line shows the coordinator's reason")
check("6 disetujui" in page, "six lines are approved")

# Baznas records deliveries: the rejected household is refused with the reason; the six go in.
sign_in("baznas")
go(f"/program/{program}")
all_seven = "kk,delivered_on,quantity,value_idr\n" + "".join(f"{kk},2019-06-20,1,20000000\n" for kk, _ in homes)
fill("#teks-penyaluran", all_seven)
click("#penyaluran form button[type=submit]")
page = text()
check(last_status["status"] == 422, f"the batch with the rejected household is refused ({last_status['status']})")
check("ditolak koordinator: Desil 9: bukan sasaran bedah rumah" in page, "the refusal quotes the coordinator's reason")
check(rich in js("document.getElementById('ditolak').innerText"), "the refused row names the household")
shot("deliveries-refused")
six = "kk,delivered_on,quantity,value_idr\n" + "".join(f"{kk},2019-06-20,1,20000000\n" for kk in poor)
fill("#teks-penyaluran", six)
click("#penyaluran form button[type=submit]")
check("Penyaluran tercatat: 6 baris" in text(), "the six deliveries are recorded")
shot("deliveries-recorded")

# Disperkim checks the same house for its own renovation programme: Baznas' plan shows.
sign_in("disperkim")
go(f"/program/{disperkim_program}")
fill("#fiscal_year", "2019")
fill("#period", "2019-Q3")
fill("#daftar", f"kk,planned_value_idr,planned_quantity\n{near},15000000,1\n")
click("#cek form button[type=submit]")
row = row_of(near)
cells = js(f"document.getElementById('{row}').innerText") if row else ""
check("(rencana)" in cells and "Baznas".lower() in cells.lower(), f"Disperkim's check shows Baznas' plan ({cells!r})")
check("RL" in cells, "and flags it SAME_CATEGORY_PLANNED (RL)")
check("Sudah direncanakan OPD lain" in text(), "the legend says what RL means")
shot("check-disperkim")

# Signing out ends the session.
click("form[action='/logout'] button")
check(js("document.getElementById('username') !== null"), "signing out returns to the sign-in form")

print(f"{len(visited)} pages visited at 390 px; screenshots in {out}")
if failures:
    raise SystemExit(f"{len(failures)} failed:\n" + "\n".join(failures))
print("browser story OK")
