"""Any OpenAI-compatible chat server (vLLM, Ollama, llama.cpp's server, a provider, `gazette llm serve`).

The `openai` SDK is imported on first use, so a CLI command or a service that never generates
does not pay for it. Every failure to get text (unreachable, timeout, HTTP error, a stream that
breaks, a server that is not OpenAI-compatible, an SDK release that rejects our arguments) is one
exception, LLMUnavailable, whose message goes into `fallback`: a generated answer can fall back,
never fail.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from indexer.settings import Settings


class LLMUnavailable(Exception):
    """No text from the model; the answer falls back to the extractive one."""


@dataclass(frozen=True)
class LLMConfig:
    url: str
    model: str
    api_key: str | None
    timeout: float  # seconds for the whole generation
    max_tokens: int
    temperature: float

    @classmethod
    def of(cls, settings: Settings) -> LLMConfig | None:
        """The configured model, or None when GAZETTE_LLM_URL is unset."""
        if not settings.llm_url:
            return None
        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else None
        return cls(settings.llm_url, settings.llm_model, key, settings.llm_timeout, settings.llm_max_tokens,
                   settings.llm_temperature)


@lru_cache(maxsize=4)
def _client(url: str, api_key: str | None, timeout: float):
    from openai import OpenAI, Timeout

    # connecting must be quick (an unreachable server falls back at once); reading may take the whole budget.
    # The SDK's own Timeout type: openai 2.x re-exports httpx's, 3.x httpx2's, and each rejects the other's.
    return OpenAI(base_url=url, api_key=api_key or "not-needed", max_retries=0,
                  timeout=Timeout(timeout, connect=min(5.0, timeout)))


def stream_chat(config: LLMConfig, messages: list[dict]) -> Iterator[str]:
    """The answer's text in pieces as the model writes them. Raises LLMUnavailable."""
    try:
        import openai
    except ImportError as e:
        raise LLMUnavailable(f"the openai package cannot be imported ({e}); pip install openai") from None

    deadline = time.monotonic() + config.timeout
    try:
        stream = _client(config.url, config.api_key, config.timeout).chat.completions.create(
            model=config.model, messages=messages, max_tokens=config.max_tokens,
            temperature=config.temperature, stream=True,
        )
        for chunk in stream:
            if time.monotonic() > deadline:
                stream.close()
                raise LLMUnavailable(f"no complete answer within {config.timeout:g} s")
            piece = chunk.choices[0].delta.content if chunk.choices else None
            if piece:
                yield piece
    except openai.APITimeoutError:
        raise LLMUnavailable(f"no complete answer within {config.timeout:g} s") from None
    except openai.APIConnectionError as e:
        raise LLMUnavailable(f"cannot reach {config.url} ({_cause(e)})") from None
    except openai.APIStatusError as e:
        raise LLMUnavailable(f"HTTP {e.status_code} from {config.url}") from None
    except openai.OpenAIError as e:
        raise LLMUnavailable(f"{type(e).__name__}: {e}") from None
    except LLMUnavailable:
        raise
    except Exception as e:  # an SDK or server we did not test against: fall back, and say what broke
        raise LLMUnavailable(f"unexpected {type(e).__name__} from the model client: {e}") from None


def _cause(e: Exception) -> str:
    cause = e.__cause__ or e.__context__
    return f"{type(cause).__name__}: {cause}" if cause else str(e)
