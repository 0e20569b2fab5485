"""Domain errors. The CLI and the API translate them at their edges."""


class GazetteError(Exception):
    """Base of every error this project raises on purpose."""


class GazetteParseError(GazetteError):
    """A file could not be read as a gazette. The message names the file."""

    def __init__(self, path: str, problem: str):
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}")


class IndexMissingError(GazetteError):
    """No built index where one was expected."""


class IndexMismatchError(GazetteError):
    """The index on disk was built with another model or format."""


class DocumentNotFound(GazetteError):
    """No document with that doc_id or 文号."""


class SourceNotFound(GazetteError):
    """No source file of that name in the corpus folder."""


class CorpusChangeRefused(GazetteError):
    """A corpus change that would leave nothing to index (e.g. removing the last good file)."""


class ModelLoadError(GazetteError):
    """The embedding model could not be loaded (missing folder, no model hub, broken files)."""


class VectorStoreUnavailable(GazetteError):
    """The configured vector store (GAZETTE_VECTOR_BACKEND=milvus) cannot be reached or used. The message names the URI."""
