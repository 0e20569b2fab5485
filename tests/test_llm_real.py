"""The real-model tier: the 0.5B model (`make llm-small`) served by `gazette llm serve`, a few
questions over the bundled gazettes. Outside `make test`: `make test-llm` (GAZETTE_TEST_LLM=1).

A 0.5B model often fails the checks; what must hold is that every answer shown is either a
generated one that passed them or the extractive one with the reason, and that no generated
answer shown carries a figure absent from its quotes.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from indexer.settings import REPO_ROOT, Settings
from service.generation.claim_check import figures_in_sources

pytestmark = pytest.mark.llm

QUESTIONS = ["城市低保标准是多少？", "聊城市烈士褒扬办法什么时候开始施行？", "城区供热直供到户由哪个部门牵头？"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llm_url():
    llm_dir = Settings().llm_dir
    if not (llm_dir / "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf").exists():
        pytest.fail("the 0.5B model is missing: run `make llm-small`")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "service.cli", "llm", "serve", "--model", "0.5b", "--port", str(port)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            assert proc.poll() is None, f"gazette llm serve exited: {proc.stderr.read()[-2000:]}"
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "gazette llm serve did not answer in 120 s"
            time.sleep(1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_served_model_answers_openai_style(llm_url):
    import openai

    client = openai.OpenAI(base_url=llm_url, api_key="unused", max_retries=0, timeout=120)
    stream = client.chat.completions.create(model="0.5b", messages=[{"role": "user", "content": "你好"}],
                                            max_tokens=8, stream=True)
    assert "".join(c.choices[0].delta.content or "" for c in stream if c.choices).strip()


@pytest.mark.parametrize("question", QUESTIONS)
def test_generated_answers_are_checked(fake_settings, fake_engine, llm_url, question):
    from service.answering import answer

    settings = fake_settings.model_copy(update={"llm_url": llm_url, "llm_model": "0.5b", "llm_timeout": 300})
    a = answer(fake_engine, settings, question, answer_mode="generated")
    assert a.generation is not None or a.fallback.startswith("no_passages"), a
    if a.answer_mode == "generated":
        assert a.generation.passed and a.fallback is None
        if a.answered:
            sources = {c.n: "\n".join(x for x in (c.title, c.docnum, c.date, c.quote) if x) for c in a.citations}
            with_figures, ok = figures_in_sources(a.generation.text, sources)
            assert ok == with_figures
    else:
        assert a.fallback and a.answer == fake_engine.ask(question).answer
    if a.generation is not None and a.generation.failed_check != "llm_unavailable":
        assert a.generation.first_token_ms is not None and a.generation.text
