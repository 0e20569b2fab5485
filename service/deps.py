"""Shared resources of the API as typed dependencies; tests swap them with dependency_overrides."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from indexer.settings import Settings
from service.engine_protocol import EngineProtocol
from service.feedback import FeedbackStore


# async, though they never await: FastAPI runs a plain `def` dependency in its thread pool, two
# thread hand-offs per answer for an attribute lookup.
async def get_engine(request: Request) -> EngineProtocol:
    return request.app.state.engine


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_feedback_store(request: Request) -> FeedbackStore:
    return request.app.state.feedback


EngineDep = Annotated[EngineProtocol, Depends(get_engine)]  # the engine module loads the models; routes need its interface
SettingsDep = Annotated[Settings, Depends(get_settings)]
FeedbackStoreDep = Annotated[FeedbackStore, Depends(get_feedback_store)]


def checked_question(text: str, settings: Settings, name: str = "question") -> str:
    """The question stripped of surrounding blanks; 422 if blank or over the length limit.

    Both are field errors like any other (the schema says minLength/pattern/maxLength), hence 422."""
    # the length is the sent text's, blanks included: the schema's maxLength counts them too
    if len(text) > settings.max_question_chars:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"{name} too long: {len(text)} characters (max {settings.max_question_chars})",
        )
    text = text.strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} must not be empty")
    return text


def absolute_url(request: Request, settings: Settings, path: str) -> str:
    """`path` (/documents/…) as an absolute URL: under settings.public_url when set, else under
    the base URL the request came in on."""
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + path
