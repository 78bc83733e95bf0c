# Two commands do all the set-up:  `make serve` (web UI)  and  `make test` (all checks).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: serve test lint types pytest browser bench bench-quick index eval clean

# The environment: a virtualenv with the CPU build of torch pinned (an unpinned torch
# would pull the multi-GB CUDA build), then askrel with what serving needs. The test extras
# (pytest, Playwright, axe-core, ruff, mypy, ranx) are added only by the targets that test.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e .
	touch $@

$(BIN)/.installed-test: $(BIN)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

serve: $(BIN)/.installed          ## start the web UI on the bundled sources (builds the index if needed)
	HF_HUB_OFFLINE=1 $(BIN)/askrel serve

index: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/askrel index

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
	  $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint: $(BIN)/.installed-test
	$(BIN)/ruff check src tests

types: $(BIN)/.installed-test
	$(BIN)/mypy

pytest: $(BIN)/.installed-test browser
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q

test: lint types pytest            ## lint, types and every test (browser tests included)

# Every question set, three modes each: reports/ for the bundled sources, reports/<set>/ for
# the sets with sources of their own (each indexed into reports/<set>/index).
SETS := manuals heldout browser webdocs manpages policy faq faq2
# The FAQ sets again with their questions kept in the text (eval/faq_kept.py), as
# set:style:report folder: as a Markdown heading, as a plain line, and underlined.
KEPT := faq:markdown:faq-kept faq2:text:faq2-kept faq:underlined:faq-underlined
# The FAQ sets again with every other answer cut out of the text (eval/faq_cut.py), as
# set:half: the cut answers' questions are unanswerable, asked of the FAQ that answers their
# neighbours; the two halves ask each question once each way.
CUT := faq:0 faq:1 faq2:0 faq2:1
# A variant written into $$out (sources/, questions.jsonl) indexed there and asked in hybrid
# mode with and without the cross-encoder.
EVAL_VARIANT = HF_HUB_OFFLINE=1 $(BIN)/askrel index --sources $$out/sources \
	  --index $$out/index >/dev/null && \
	  HF_HUB_OFFLINE=1 $(BIN)/askrel eval --questions $$out/questions.jsonl \
	  --index $$out/index --sources $$out/sources \
	  --mode hybrid/no-rerank --mode hybrid --out $$out
# Each set in the first-stage modes alone and in hybrid with and without the cross-encoder.
EVAL_MODES := --mode bm25/no-rerank --mode dense/no-rerank --mode hybrid/no-rerank --mode hybrid
eval: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/askrel index >/dev/null
	HF_HUB_OFFLINE=1 $(BIN)/askrel eval --questions eval/questions.jsonl \
	  $(EVAL_MODES) --out reports
	@for set in $(SETS); do \
	  HF_HUB_OFFLINE=1 $(BIN)/askrel index --sources eval/$$set/sources \
	    --index reports/$$set/index >/dev/null && \
	  HF_HUB_OFFLINE=1 $(BIN)/askrel eval --questions eval/$$set/questions.jsonl \
	    --index reports/$$set/index --sources eval/$$set/sources \
	    $(EVAL_MODES) --out reports/$$set || exit 1; \
	done
	@for kept in $(KEPT); do set=$${kept%%:*}; style=$${kept#*:}; \
	  out=reports/$${style#*:}; style=$${style%%:*}; \
	  $(BIN)/python eval/faq_kept.py --set eval/$$set --style $$style \
	    --out $$out >/dev/null && $(EVAL_VARIANT) || exit 1; \
	done
	@for cut in $(CUT); do set=$${cut%%:*}; half=$${cut#*:}; out=reports/$$set-cut$$half; \
	  $(BIN)/python eval/faq_cut.py --set eval/$$set --half $$half \
	    --out $$out >/dev/null && $(EVAL_VARIANT) || exit 1; \
	done

bench-quick: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/askrel bench --quick --json

bench: $(BIN)/.installed
	HF_HUB_OFFLINE=1 $(BIN)/askrel bench

clean:
	rm -rf index/current index/builds index/.lock
