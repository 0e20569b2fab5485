"""The Chromium the tests drive (Debian's, not a Playwright download) and how it is started: the
flags keep it from reaching for the network, which this machine's closed network refuses."""
from __future__ import annotations

import os

CHROMIUM = os.environ.get("GAZETTE_E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
