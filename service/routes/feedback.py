"""Feedback on answers: POST /api/feedback."""
from __future__ import annotations

from fastapi import APIRouter, status

from service.deps import FeedbackStoreDep
from service.schemas import FeedbackCreated, FeedbackRequest, error_responses

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post("/feedback", status_code=status.HTTP_201_CREATED, responses=error_responses(503))
def create_feedback(body: FeedbackRequest, store: FeedbackStoreDep) -> FeedbackCreated:
    """Store whether an answer helped, with an optional comment."""
    feedback_id = store.add(body.question, body.answer, body.citations, body.helpful, body.comment)
    return FeedbackCreated(id=feedback_id)
