"""The corpus folder (settings.corpus_dir): add source files, remove one, list them.

Every change rebuilds the index of the whole folder (build.build_index); the embedding cache
makes that cheap, since only the new chunks are embedded. The CLI (`gazette add`, `gazette
remove`, `gazette sources`) and the admin API both call these functions.

- A file is parsed before it enters the folder, so a bad file (empty, not UTF-8, an encrypted
  or broken PDF, a format not read, not a government document) is reported with its own error
  and never lands; the others still do. Its format is known from its content (indexer.readers),
  and its name in the folder ends with that format's suffix.
- The same bytes already in the folder (under any name) are reported as a duplicate and not
  copied. A file with the name of one in the folder replaces it (an updated version).
- A document that another file already holds is indexed once (indexer.duplicates): the upload
  answer says which copy is indexed.
- A change whose build fails is rolled back, so the folder always matches the last good index.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .build import STORE, BuildReport, build_index, read_manifest, source_cache_dir
from .duplicates import Duplicate
from .embedder import Embedder
from .errors import CorpusChangeRefused, GazetteError, GazetteParseError, SourceNotFound
from .locks import corpus_lock
from .models import Document
from .parser import gazette_files, parse_gazette
from .readers import SUFFIX_OF, SUFFIXES, format_of
from .readers.detect import detect_format
from .settings import Settings

MAX_SOURCE_NAME = 120  # characters, the suffix included
MAX_SOURCE_BYTES = 200  # and UTF-8 bytes: 120 CJK characters would pass a file system's 255-byte limit


@dataclass(frozen=True)
class DocRef:
    """One copy of a document: the source file that holds it and its doc_id there."""

    source: str
    doc_id: str


@dataclass
class DocumentOutcome:
    """A document of a source file, and whether this copy is the one in the index."""

    doc_id: str
    docnum: str | None
    title: str
    issuer: str | None
    date: str | None
    type: str
    duplicate_of: DocRef | None = None  # this copy is not indexed: that copy of the document is
    copies: list[DocRef] = field(default_factory=list)  # copies in other files skipped for this one

    @classmethod
    def of(cls, doc: Document) -> DocumentOutcome:
        return cls(doc.doc_id, doc.docnum, doc.title, doc.issuer, doc.date, doc.type)

    @property
    def label(self) -> str:
        return f"《{self.title}》（{self.docnum}）" if self.docnum else f"《{self.title}》"


@dataclass
class FileOutcome:
    """What one given file became: added, replaced, a duplicate of a file already there, or an error."""

    name: str  # as given (a path or an upload's file name)
    source: str | None  # its name in the corpus folder; None for an error
    status: str  # added | replaced | duplicate | error
    detail: str  # one line for a person
    documents: list[DocumentOutcome] = field(default_factory=list)


@dataclass
class AddReport:
    files: list[FileOutcome]
    build: BuildReport | None  # None when nothing entered the folder (all errors or duplicates)


@dataclass
class RemoveReport:
    source: str
    documents: list[DocumentOutcome]  # what the file held; duplicate_of: the copy still indexed
    build: BuildReport


@dataclass
class SourceInfo:
    source: str
    bytes: int
    indexed: bool  # in the current index (False: added to the folder by hand, not yet indexed)
    problem: str | None  # why it could not be parsed at the last build
    documents: list[DocumentOutcome]
    format: str | None = None  # text | pdf | html | docx, as its indexed documents were read (None: not indexed)
    pages: int | None = None  # its page count (PDF)


# ---- names -----------------------------------------------------------------------------------


def source_name(given: str, suffix: str = ".txt") -> str:
    """The corpus file name for a given file name: its base name, printable, ending in the suffix
    of its format (".txt", ".pdf", ".html", ".docx"): "a.TXT" → "a.txt", "scan" → "scan.pdf".
    """
    base = re.split(r"[\\/]", given or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    base = re.sub(r"\s+", "_", base.strip())
    stem = base
    for known in sorted(SUFFIXES, key=len, reverse=True):
        if stem.lower().endswith(known):
            stem = stem[: -len(known)]
            break
    stem = stem.lstrip(".")[: MAX_SOURCE_NAME - len(suffix)]  # no hidden files
    while len(stem.encode("utf-8")) > MAX_SOURCE_BYTES - len(suffix):  # file systems count bytes (255 at most)
        stem = stem[:-1]
    return (stem or "upload") + suffix


def _unique_name(name: str, taken: set[str]) -> str:
    """Two files of one request with the same name: the second becomes name-2.pdf, and so on."""
    stem, suffix = name.rsplit(".", 1)
    k, out = 2, name
    while out in taken:
        out, k = f"{stem}-{k}.{suffix}", k + 1
    taken.add(out)
    return out


def corpus_file(settings: Settings, source: str) -> Path:
    """The path of a source file in the corpus folder. Raises SourceNotFound for any other name
    (a path, "..", a control character, a file that is not there or not a gazette file)."""
    plain = (
        bool(source)
        and source not in (".", "..")
        and not re.search(r"[\\/]", source)
        and all(ch.isprintable() for ch in source)
        and source.lower().endswith(SUFFIXES)
    )
    if not plain or not (settings.corpus_dir / source).is_file():
        raise SourceNotFound(f"no source file {source!r} in the corpus")
    return settings.corpus_dir / source


# ---- changes -----------------------------------------------------------------------------------


def _count(n: int) -> str:
    return f"{n} document" if n == 1 else f"{n} documents"


# A file to add: its content in memory, or a file on disk (an upload spooled there: a gazette
# issue's PDF runs to 30 MB, and several may come in one request).
Content = bytes | Path


def _sha(data: Content) -> str:
    if isinstance(data, bytes):
        return hashlib.sha256(data).hexdigest()
    h = hashlib.sha256()
    with data.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _format(data: Content, given: str) -> str:
    """The content's format (indexer.readers), told by its bytes; the name as given breaks ties."""
    return detect_format(data, given) if isinstance(data, bytes) else format_of(data, given)


def _write(data: Content, target: Path) -> None:
    if isinstance(data, bytes):
        target.write_bytes(data)
    else:
        shutil.copyfile(data, target)


def _check(name: str, data: Content, settings: Settings, progress=None) -> list[Document]:
    """Parse the bytes as they would be parsed in the folder (same file name). Raises GazetteParseError.

    What a PDF's pages gave is kept in the source cache, so the build that follows reuses it."""
    with tempfile.TemporaryDirectory(prefix="gazette-check-") as tmp:
        path = Path(tmp) / name
        _write(data, path)
        return parse_gazette(path, progress=progress, cache_dir=source_cache_dir(settings))


def _current_duplicates(settings: Settings) -> list[Duplicate]:
    try:
        return [Duplicate(**d) for d in read_manifest(settings.index_dir).get("duplicates", [])]
    except GazetteError:
        return []


def _mark_copies(docs: list[DocumentOutcome], source: str, duplicates: list[Duplicate]) -> None:
    """Fill duplicate_of / copies of a file's documents from a build's duplicate list."""
    for d in docs:
        for dup in duplicates:
            if (dup.source_file, dup.doc_id) == (source, d.doc_id):
                d.duplicate_of = DocRef(dup.kept_source, dup.kept_doc_id)
            elif (dup.kept_source, dup.kept_doc_id) == (source, d.doc_id):
                d.copies.append(DocRef(dup.source_file, dup.doc_id))


@dataclass(frozen=True)
class IngestStep:
    """Where an ingest stands, for an operator watching it: reading file 2 of 3, page 14 of 40."""

    stage: str  # reading | indexing | done
    file: str | None = None
    files_done: int = 0
    files_total: int = 0
    page: int | None = None
    pages: int | None = None


def add_files(
    settings: Settings, files: list[tuple[str, Content]], embedder: Embedder | None = None, progress: bool = False,
    on_step: Callable[[IngestStep], None] | None = None,
) -> AddReport:
    """Copy the good files into the corpus folder and rebuild the index once for all of them.

    `files` are (name as given, content: bytes or a file on disk). Each gets its own outcome; a bad file does not stop
    the others. Nothing is rebuilt when no file entered the folder. `on_step` hears each file
    and each page as it is read (a scanned page takes seconds), then the indexing.
    """
    step = on_step or (lambda _: None)
    corpus = settings.corpus_dir
    with corpus_lock(settings):
        corpus.mkdir(parents=True, exist_ok=True)
        present = {_sha(p.read_bytes()): p.name for p in gazette_files([corpus])}
        taken = {p.name for p in gazette_files([corpus])}
        outcomes: list[FileOutcome] = []
        pending: list[tuple[FileOutcome, Content]] = []
        request_names: set[str] = set()
        for k, (given, data) in enumerate(files):
            step(IngestStep("reading", given, k, len(files)))
            try:
                suffix = SUFFIX_OF[_format(data, given)]
                pages = lambda page, n, given=given, k=k: step(IngestStep("reading", given, k, len(files), page, n))  # noqa: E731
                docs = [DocumentOutcome.of(d) for d in _check(source_name(given, suffix), data, settings, pages)]
            except GazetteParseError as e:
                outcomes.append(FileOutcome(given, None, "error", e.problem))
                continue
            same = present.get(_sha(data))
            if same is not None:
                outcome = FileOutcome(given, same, "duplicate", f"the same file is already in the corpus as {same}; not added", docs)
                for d in docs:
                    d.duplicate_of = DocRef(same, d.doc_id)
                outcomes.append(outcome)
                continue
            name = _unique_name(source_name(given, suffix), request_names)  # a name is taken by files that land
            status = "replaced" if name in taken else "added"
            outcome = FileOutcome(given, name, status, f"{status} as {name}: {_count(len(docs))}", docs)
            outcomes.append(outcome)
            pending.append((outcome, data))
            present[_sha(data)] = name
        if not pending:
            for o in outcomes:
                if o.status == "duplicate":
                    _mark_existing_copies(o, _current_duplicates(settings))
            return AddReport(outcomes, None)
        step(IngestStep("indexing", None, len(files), len(files)))
        report = _write_and_build(settings, pending, embedder, progress)
    for outcome, _ in pending:
        _mark_copies(outcome.documents, outcome.source, report.duplicates)
        skipped = sum(d.duplicate_of is not None for d in outcome.documents)
        if skipped:
            outcome.detail += f" ({skipped} already in the corpus from another file: not indexed twice)"
    for o in outcomes:
        if o.status == "duplicate":
            _mark_existing_copies(o, report.duplicates)
    return AddReport(outcomes, report)


def _mark_existing_copies(outcome: FileOutcome, duplicates: list[Duplicate]) -> None:
    """A file identical to one in the folder: point each document at the copy that is indexed."""
    for d in outcome.documents:
        ref = d.duplicate_of
        for dup in duplicates:
            if ref and (dup.source_file, dup.doc_id) == (ref.source, ref.doc_id):
                d.duplicate_of = DocRef(dup.kept_source, dup.kept_doc_id)


def _write_and_build(
    settings: Settings, pending: list[tuple[FileOutcome, Content]], embedder: Embedder | None, progress: bool
) -> BuildReport:
    """Write the files (replaced ones backed up), build; on any failure put the folder back."""
    corpus = settings.corpus_dir
    backup = Path(tempfile.mkdtemp(prefix=".replaced-", dir=settings.cache_dir))
    written: list[Path] = []
    try:
        for outcome, data in pending:
            target = corpus / outcome.source
            if target.exists():
                shutil.copy2(target, backup / outcome.source)
            tmp = corpus / f".{outcome.source}.part"
            _write(data, tmp)
            os.replace(tmp, target)  # a reader of the folder never sees half a file
            written.append(target)
        return build_index(settings, embedder=embedder, progress=progress)
    except BaseException:
        for target in written:
            saved = backup / target.name
            if saved.exists():
                os.replace(saved, target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def remove_source(settings: Settings, source: str, embedder: Embedder | None = None, progress: bool = False) -> RemoveReport:
    """Take a source file out of the corpus folder and rebuild. Raises SourceNotFound, and
    CorpusChangeRefused when nothing would be left to index (the file is then put back)."""
    with corpus_lock(settings):
        path = corpus_file(settings, source)
        before = _current_duplicates(settings)
        try:
            docs = [DocumentOutcome.of(d) for d in parse_gazette(path)]
        except GazetteParseError:
            docs = []  # a file that never parsed held no documents
        parked = Path(tempfile.mkdtemp(prefix=".removed-", dir=settings.cache_dir))
        os.replace(path, parked / source)
        try:
            report = build_index(settings, embedder=embedder, progress=progress)
        except GazetteError as e:
            os.replace(parked / source, path)
            raise CorpusChangeRefused(f"{source} not removed: the index without it cannot be built: {e}") from None
        except BaseException:
            os.replace(parked / source, path)
            raise
        finally:
            shutil.rmtree(parked, ignore_errors=True)
    skipped_now = {(d.source_file, d.doc_id) for d in report.duplicates}
    for d in docs:
        for dup in before:
            if (dup.source_file, dup.doc_id) == (source, d.doc_id):
                d.duplicate_of = DocRef(dup.kept_source, dup.kept_doc_id)  # was a copy; still indexed there
            elif (dup.kept_source, dup.kept_doc_id) == (source, d.doc_id) and (dup.source_file, dup.doc_id) not in skipped_now:
                d.duplicate_of = DocRef(dup.source_file, dup.doc_id)  # a copy elsewhere takes its place
    return RemoveReport(source, docs, report)


# ---- listing -----------------------------------------------------------------------------------


def list_sources(settings: Settings, documents: list[Document] | None = None) -> list[SourceInfo]:
    """Every source file of the corpus folder with the documents it holds in the index.

    `documents` are the indexed documents (a running engine's); without them the index's store
    is read. Skipped copies are listed with the copy that is indexed (duplicate_of).
    """
    from .store import Store

    try:
        manifest = read_manifest(settings.index_dir)
    except GazetteError:
        manifest = {}
    if documents is None:
        documents = Store.load(settings.index_dir / STORE).documents() if manifest else []
    duplicates = [Duplicate(**d) for d in manifest.get("duplicates", [])]
    by_id = {d.doc_id: d for d in documents}
    indexed_files = set(manifest.get("files", []))
    problems = manifest.get("problems", {})
    out: list[SourceInfo] = []
    for path in gazette_files([settings.corpus_dir]) if settings.corpus_dir.is_dir() else []:
        name = path.name
        docs = [DocumentOutcome.of(d) for d in documents if d.source_file == name]
        for dup in duplicates:
            if dup.source_file == name and dup.kept_doc_id in by_id:
                kept = DocumentOutcome.of(by_id[dup.kept_doc_id])
                copy = DocumentOutcome(dup.doc_id, dup.docnum, dup.title, kept.issuer, kept.date, kept.type)
                copy.duplicate_of = DocRef(dup.kept_source, dup.kept_doc_id)
                docs.append(copy)
        _mark_copies([d for d in docs if d.duplicate_of is None], name, duplicates)
        held = [d for d in documents if d.source_file == name]
        fmt, pages = (held[0].source_format, held[0].source_pages) if held else (None, None)
        out.append(SourceInfo(name, path.stat().st_size, name in indexed_files, problems.get(name), docs, fmt, pages))
    return out
