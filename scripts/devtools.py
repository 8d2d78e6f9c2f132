"""Starts headless Chromium for the page scripts and hands back a DevTools connection.

Chromium picks its own debugging port (--remote-debugging-port=0) and writes it to
DevToolsActivePort in the profile, so two runs never race for a port. A first start on a
fresh machine can take long (font caches), so the wait is generous; if Chromium dies or never
listens, the script stops with the end of Chromium's own log instead of a Python traceback.
"""

import atexit
import json
import os
import subprocess
import time
import urllib.request

import websocket


def _tail(path, lines=30):
    try:
        with open(path, errors="replace") as handle:
            kept = [line for line in handle if "dbus" not in line]
        return "".join(kept[-lines:])
    except OSError:
        return "(no log)"


def open_page(profile, timeout=180, socket_timeout=60):
    """Starts Chromium with the profile directory and returns a websocket to its blank page."""
    os.makedirs(profile, exist_ok=True)
    log_path = profile.rstrip("/") + ".log"
    log = open(log_path, "w")
    browser = subprocess.Popen(
        ["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def stop():
        if browser.poll() is None:
            browser.terminate()
            try:
                browser.wait(10)
            except subprocess.TimeoutExpired:
                browser.kill()

    atexit.register(stop)
    deadline = time.monotonic() + timeout
    active = os.path.join(profile, "DevToolsActivePort")
    while time.monotonic() < deadline:
        if browser.poll() is not None:
            raise SystemExit(f"chromium exited with status {browser.returncode}:\n{_tail(log_path)}")
        try:
            with open(active) as handle:
                port = int(handle.readline().strip())
            pages = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json", timeout=5))
            page = next(p for p in pages if p.get("type") == "page")
            return websocket.create_connection(page["webSocketDebuggerUrl"], timeout=socket_timeout)
        except (OSError, ValueError, StopIteration):
            time.sleep(0.5)
    raise SystemExit(f"chromium did not open its DevTools port within {timeout} s:\n{_tail(log_path)}")
