"""Retrieval, answering and the FastAPI app over a built gazette index."""
