"""What the corpus is called: GET /api/corpus (the pages put its name in their titles)."""
from __future__ import annotations

from collections import Counter

from fastapi import APIRouter

from service.scope import corpus_name
from service.schemas.corpus import CorpusInfo
from service.deps import EngineDep, SettingsDep

router = APIRouter(prefix="/api", tags=["corpus"])


@router.get("/corpus")
def read_corpus(engine: EngineDep, settings: SettingsDep) -> CorpusInfo:
    """The corpus's name (GAZETTE_CORPUS_NAME, else derived from the issuers), size and issuers."""
    docs = engine.documents()
    issuers = [name for name, _ in Counter(d.issuer for d in docs if d.issuer).most_common()]
    return CorpusInfo(name=corpus_name(docs, settings.corpus_name), documents=len(docs), issuers=issuers)
