"""Feedback on answers: POST /api/feedback, and the review list GET /api/admin/feedback."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from service.auth import AdminDep
from service.deps import FeedbackStoreDep
from service.schemas.common import error_responses
from service.schemas.feedback import FeedbackCreated, FeedbackOut, FeedbackPage, FeedbackRequest

router = APIRouter(prefix="/api", tags=["feedback"])


@router.post("/feedback", status_code=status.HTTP_201_CREATED, responses=error_responses(404, 413, 422, 429, 503))
def create_feedback(body: FeedbackRequest, store: FeedbackStoreDep) -> FeedbackCreated:
    """Store whether an answer helped, with an optional comment; name the answer by its id."""
    if body.answer_id is not None:
        kept = store.get_answer(body.answer_id)
        if kept is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown answer id: {body.answer_id}")
        question, answer, citations = kept["question"], kept["answer"], kept["citations"]
    else:
        question, answer, citations = body.question, body.answer, body.citations
    feedback_id = store.add(question, answer, citations, body.helpful, body.comment, answer_id=body.answer_id)
    return FeedbackCreated(id=feedback_id)


@router.get("/admin/feedback", responses=error_responses(401, 404, 422, 429, 503))
def list_feedback(
    _: AdminDep,
    store: FeedbackStoreDep,
    limit: Annotated[int, Query(ge=1, le=500, description="rows per page")] = 100,
    before: Annotated[
        int | None, Query(ge=1, le=2**63 - 1, description="only feedback with a smaller id (the next page)")
    ] = None,
) -> FeedbackPage:
    """The feedback, newest first, with the question, answer and citations it is about (admin token)."""
    rows = store.recent(limit + 1, before=before)
    page, more = rows[:limit], len(rows) > limit
    return FeedbackPage(feedback=[FeedbackOut(**r) for r in page], next_before=page[-1]["id"] if more else None)
