"""The OpenAI-compatible chat (/v1): the chat-completions request, the completion and its stream
chunks, the model list, and errors in OpenAI's shape."""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator

from service.schemas.common import (
    ANSWER_MODE_TEXT,
    MAX_HISTORY_CHARS,
    MAX_HISTORY_MESSAGES,
    QUESTION_TEXT_SCHEMA,
    STRICT_BODY,
    AnswerMode,
)


OPENAI_MODEL_ID = "liaocheng-gazette"


class ChatUserMessage(BaseModel):
    """A user turn. The last one is the question; earlier ones are history. Every user turn is
    held to the question rules (not blank, at most settings.max_question_chars characters)."""

    model_config = STRICT_BODY

    role: Literal["user"]
    content: str = Field(json_schema_extra=QUESTION_TEXT_SCHEMA)
    name: str | None = None


class ChatOtherMessage(BaseModel):
    """A system, developer or assistant turn. Assistant turns become history (clipped to
    MAX_HISTORY_CHARS); system and developer turns are accepted and ignored."""

    model_config = STRICT_BODY

    role: Literal["system", "developer", "assistant"]
    content: str | None = None
    name: str | None = None


ChatMessage = Annotated[ChatUserMessage | ChatOtherMessage, Field(discriminator="role")]


class ChatCompletionRequest(BaseModel):
    """The OpenAI chat-completions request, text only. Sampling options (temperature, max_tokens,
    ...) are accepted and ignored: answers are extracted, not generated."""

    model_config = STRICT_BODY

    model: str = Field(
        max_length=200, description=f"any name is accepted; the answer says `{OPENAI_MODEL_ID}`"
    )
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="the conversation; it must hold a user message (the last one is the question)",
        json_schema_extra={"contains": {"type": "object", "properties": {"role": {"const": "user"}}, "required": ["role"]}},
    )
    stream: bool = False
    answer_mode: AnswerMode | None = Field(None, description=ANSWER_MODE_TEXT)

    def question_and_history(self) -> tuple[str, list[dict]]:
        """The last user message, and the user/assistant turns before it (the newest
        MAX_HISTORY_MESSAGES, each clipped to MAX_HISTORY_CHARS) as AskRequest history."""
        last = max(i for i, m in enumerate(self.messages) if m.role == "user")
        history = [
            {"role": m.role, "content": m.content[:MAX_HISTORY_CHARS]}
            for m in self.messages[:last]
            if m.role in ("user", "assistant") and m.content and m.content.strip()
        ]
        return self.messages[last].content, history[-MAX_HISTORY_MESSAGES:]

    @field_validator("messages")
    @classmethod
    def _has_a_user_message(cls, v: list) -> list:
        if v and not any(m.role == "user" for m in v):
            raise ValueError("messages must include a user message (the question)")
        return v


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class Reference(BaseModel):
    """One source of an answer: the [n] marker in the text, the document, the verbatim quote."""

    n: int
    docnum: str | None
    title: str
    date: str | None
    quote: str
    url: str = Field(description="absolute link to the quoted paragraph")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class ChatChoice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class Usage(BaseModel):
    """cl100k_base token counts of the conversation sent and of the answer (nothing is billed)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class ChatCompletion(BaseModel):
    id: str = Field(description="the answer's id; feedback refers to it (POST /api/feedback answer_id)")
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: Usage
    answered: bool = Field(description="false when the gazettes do not hold the answer (a refusal)")
    answer_mode: AnswerMode = Field("extractive", description="what wrote the answer")
    fallback: str | None = Field(None, description="why the extractive answer is shown although a generated one was asked for")
    references: list[Reference]


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop"] | None = None


class ChatCompletionChunk(BaseModel):
    """One `data:` event of a stream; the last one (finish_reason "stop") carries `answered`
    and `references`."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    answered: bool | None = None
    answer_mode: AnswerMode | None = None
    fallback: str | None = None
    references: list[Reference] | None = None


class OpenAIErrorBody(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIError(BaseModel):
    """Errors of /v1 routes, in OpenAI's shape (the SDKs read `error.message`)."""

    error: OpenAIErrorBody
