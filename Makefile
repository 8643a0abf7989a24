# Two commands on a fresh machine: `make demo` (install + scan the sample catalog) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
APT_PACKAGES := tesseract-ocr tesseract-ocr-chi-sim fonts-noto-cjk
APT_TEST_PACKAGES := chromium git

.PHONY: demo test install install-dev system-deps system-test-deps bench eval clean

demo: install
	@echo "== sanshen scan examples/catalog.jsonl (31 listings, one image, one bad record) =="
	-$(BIN)/sanshen scan examples/catalog.jsonl --format text

test: install-dev
	$(BIN)/mypy
	$(BIN)/sanshen rules test
	$(BIN)/pytest -q
	@if [ -f $(SHARED)/eval/dev.jsonl ]; then \
	  $(BIN)/sanshen eval $(SHARED)/eval/dev.jsonl --ocr none --min-recall 0.90 --min-precision 0.90 \
	    --max-clean-fp 0.05 --min-evasion-recall 0.85; \
	else echo "$(SHARED)/eval/dev.jsonl not found: dev-set gate skipped"; fi
	@if [ -f $(SHARED)/eval/images.json ]; then \
	  images=$$(mktemp -d) && $(BIN)/python $(SHARED)/eval/render_images.py $(SHARED)/eval/images.json $$images && \
	  for engine in tesseract rapidocr; do \
	    echo "== dev set with its images, OCR by $$engine" && \
	    SANSHEN_CACHE_DIR=$$images/cache $(BIN)/sanshen eval $(SHARED)/eval/dev.jsonl --images $$images --ocr $$engine \
	      --min-recall 0.90 --min-precision 0.90 --max-clean-fp 0.05 --min-evasion-recall 0.85 || exit 1; \
	  done; rm -rf $$images; \
	fi

bench: install-dev
	$(BIN)/python bench/run_all.py --spark
	$(BIN)/python bench/bench_service.py

eval: install
	$(BIN)/sanshen eval $(SHARED)/eval/dev.jsonl --ocr none --show

# Debian packages: OCR engine, Chinese language data and a CJK font (and, for tests, chromium, git and
# a Java runtime for the Spark test when the machine has none).
system-deps:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

system-test-deps: system-deps
	@missing=""; for p in $(APT_TEST_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then echo "installing$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: system-deps $(BIN)/python
	$(BIN)/pip install -q ".[rapidocr]"

install-dev: system-test-deps $(BIN)/python
	$(BIN)/pip install -q ".[rapidocr,spark,dev]"

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .hypothesis
