"""Helpers of the browser tests (tests/e2e/): the chat page asked a question. Imported only
after the tests have made sure Playwright is installed."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

ANSWER_TIMEOUT = 120_000  # ms: the first question also warms the engine up


def ask(page: Page, question: str) -> Locator:
    """Type a question, press Enter, wait until its answer has finished streaming."""
    answers = page.locator("[data-testid=answer]")
    before = answers.count()
    box = page.get_by_label("输入您的问题")
    box.fill(question)
    box.press("Enter")
    answer = answers.nth(before)
    expect(answer).to_have_attribute("data-state", re.compile("^(done|error)$"), timeout=ANSWER_TIMEOUT)
    if answer.get_attribute("data-state") == "error":
        pytest.fail(f"the chat showed an error for {question!r}: {answer.inner_text()}")
    return answer
