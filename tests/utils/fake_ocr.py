"""An OCR engine for read_pdf's `ocr` argument that reads the same two lines from every page,
with a set confidence, and records the pages it was asked for."""
from __future__ import annotations

from pathlib import Path


class FakeOcr:
    def __init__(self, confidence: float):
        self.calls: list[tuple[Path, int]] = []
        self.confidence = confidence

    def __call__(self, path: Path, page_index: int):
        self.calls.append((path, page_index))
        return type("Page", (), {"lines": ["扫描页 第一行", " ", "扫描页第二行"], "confidence": self.confidence})()
