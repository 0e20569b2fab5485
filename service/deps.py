"""Shared resources of the API as typed dependencies; tests swap them with dependency_overrides."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status

from indexer.settings import Settings
from service.feedback import FeedbackStore

if TYPE_CHECKING:  # the engine module pulls in the models; the API only needs its interface
    from service.engine import Engine


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_feedback_store(request: Request) -> FeedbackStore:
    return request.app.state.feedback


EngineDep = Annotated["Engine", Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
FeedbackStoreDep = Annotated[FeedbackStore, Depends(get_feedback_store)]


def checked_question(text: str, settings: Settings, name: str = "question") -> str:
    """The question stripped of surrounding blanks; 422 if blank, 413 if over the length limit."""
    text = text.strip()
    if not text:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{name} must not be empty")
    if len(text) > settings.max_question_chars:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"{name} too long: {len(text)} characters (max {settings.max_question_chars})",
        )
    return text
