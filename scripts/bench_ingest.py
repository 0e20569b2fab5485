"""Ingest benchmark: gazettes as they are published, on this machine.

    .venv/bin/python scripts/bench.py --ingest          (or this file directly)

1. Text-layer PDF: a bundled issue (001, 2023年第8-9期) printed as a two-column A4 issue by
   Chromium (tests/utils/pdf_fixtures.py), read with read_pdf: seconds per page (median of 3 runs).
2. OCR: the first OCR_PAGES pages of that print rendered at 200 dpi and wrapped back into an
   image-only PDF (no text layer), read with read_pdf + rapidocr: seconds per page, and the
   character error rate against the text layer of the same pages.
3. The whole path: `gazette serve` (the real model) on a corpus of one other issue (002); the
   printed 001 is uploaded to POST /api/admin/documents, then a question about it is asked until
   an answer cites it: seconds from the start of the upload to that answer, with the upload's own
   figures (chunks embedded, seconds in the build).

Figures are printed as JSON and written to test-output/bench-ingest.json.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]  # this checkout (tests/utils: the fixture printers)

from eval.metrics import edit_distance  # noqa: E402
from indexer.readers.ocr import ocr_pdf_page  # noqa: E402
from indexer.readers.pdf import read_pdf  # noqa: E402

ISSUE = ROOT / "data" / "gazettes" / "001_4e409ccb49078295.txt"
BASE = ROOT / "data" / "gazettes" / "002_9756490e8af5cb45.txt"
OCR_PAGES = 4
DPI = 200
QUESTION = "烈士遗属短期休养每期多少天？"
CITED_TITLE = "聊城市烈士褒扬办法"
TOKEN = "bench-ingest-token"


def text_layer_seconds_per_page(pdf: Path, runs: int = 3) -> dict:
    times, pages = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        source = read_pdf(pdf)
        times.append(time.perf_counter() - t)
        pages = source.page_count
    return {"pages": pages, "seconds": round(statistics.median(times), 3),
            "seconds_per_page": round(statistics.median(times) / pages, 4)}


def image_only_pdf(pdf: Path, out: Path, pages: int) -> Path:
    """The first pages rendered to images and wrapped back into a PDF: a scan, no text layer."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    images = [doc[i].render(scale=DPI / 72).to_pil().convert("RGB") for i in range(pages)]
    images[0].save(out, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return out


def _flat(lines: list[str]) -> str:
    """Whitespace out, and full- and half-width forms as one (the text layer mixes "，" and ",")."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", "".join(lines)))




def ocr_seconds_per_page(printed: Path, scan: Path, pages: int) -> dict:
    """OCR time per page, and the character error rate per page against the print's text layer
    (the running header, which a scan alone cannot tell from the body, counts as an error)."""
    reference = read_pdf(printed)
    t = time.perf_counter()
    source = read_pdf(scan, ocr=ocr_pdf_page)
    seconds = time.perf_counter() - t
    errors = chars = 0
    per_page = []
    for page in range(1, pages + 1):
        ref = _flat([s for s, p in zip(reference.lines, reference.pages) if p == page])
        got = _flat([s for s, p in zip(source.lines, source.pages) if p == page])
        d = edit_distance(ref, got)
        errors, chars = errors + d, chars + len(ref)
        per_page.append(round(d / max(1, len(ref)), 3))
    return {"pages": source.page_count, "characters": chars, "seconds": round(seconds, 2),
            "seconds_per_page": round(seconds / source.page_count, 2),
            "cer_vs_text_layer": round(errors / max(1, chars), 4), "cer_per_page": per_page, "warnings": source.warnings}


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def upload_to_first_answer(pdf: Path, work: Path) -> dict:
    """A real server on one other issue; upload the PDF issue, ask until an answer cites it."""
    import httpx

    corpus, cache = work / "corpus", work / "cache"
    corpus.mkdir(parents=True)
    shutil.copy(BASE, corpus / BASE.name)
    env = {**os.environ, "GAZETTE_CORPUS_DIR": str(corpus), "GAZETTE_CACHE_DIR": str(cache),
           "GAZETTE_ADMIN_TOKEN": TOKEN, "GAZETTE_RATE_LIMIT_ADMIN": "1000/minute", "PYTHONPATH": str(ROOT)}
    gazette = [sys.executable, "-m", "service.cli"]
    t = time.perf_counter()
    subprocess.run([*gazette, "index"], env=env, cwd=ROOT, check=True, capture_output=True)
    base_index_s = time.perf_counter() - t
    port = _free_port()
    server = subprocess.Popen([*gazette, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.5)
        with httpx.Client(base_url=url, timeout=1800) as client:
            t = time.perf_counter()
            r = client.post("/api/admin/documents", headers={"Authorization": f"Bearer {TOKEN}"},
                            files=[("files", (pdf.name, pdf.read_bytes(), "application/pdf"))])
            upload_s = time.perf_counter() - t
            r.raise_for_status()
            body = r.json()
            answer = None
            while time.perf_counter() - t < 600:
                answer = client.post("/api/ask", json={"question": QUESTION}).json()
                if any(c["title"] == CITED_TITLE for c in answer.get("citations", [])):
                    break
                time.sleep(0.2)
            total_s = time.perf_counter() - t
    finally:
        server.terminate()
        server.wait(timeout=30)
    cited = next((c for c in (answer or {}).get("citations", []) if c["title"] == CITED_TITLE), None)
    return {
        "base_corpus": BASE.name, "base_index_seconds": round(base_index_s, 1),
        "upload_response_seconds": round(upload_s, 1), "upload_to_first_citing_answer_seconds": round(total_s, 1),
        "file": body["files"][0]["status"] + ": " + body["files"][0]["detail"],
        "index": body["index"], "cited_page": cited and cited["page"], "answer": (answer or {}).get("answer", "")[:200],
    }


def main() -> dict:
    from tests.utils.pdf_fixtures import chromium_available, print_issue_chromium

    if chromium_available() is not None:
        raise SystemExit(f"bench_ingest: {chromium_available()}")
    with tempfile.TemporaryDirectory(prefix="bench-ingest-") as tmp:
        work = Path(tmp)
        printed = print_issue_chromium(ISSUE, work / "2023年第8-9期.pdf")
        result = {"issue": ISSUE.name, "load_average": os.getloadavg()[0], "text_layer": text_layer_seconds_per_page(printed)}
        print(json.dumps(result, ensure_ascii=False), flush=True)
        scan = image_only_pdf(printed, work / "scan.pdf", OCR_PAGES)
        result["ocr"] = ocr_seconds_per_page(printed, scan, OCR_PAGES)
        print(json.dumps(result["ocr"], ensure_ascii=False), flush=True)
        result["whole_path"] = upload_to_first_answer(printed, work / "server")
    out = ROOT / "test-output" / "bench-ingest.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2))
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return result


if __name__ == "__main__":
    main()
