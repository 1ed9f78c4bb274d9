# Everyday commands. `make test` is the README's test command without the install step.
PYTHON ?= .venv/bin/python

.PHONY: run test test-fast check bench screenshots

run:
	$(PYTHON) -m streamlit run app.py

test:
	$(PYTHON) -m pytest

test-fast:  # everything but the real-browser tests
	$(PYTHON) -m pytest -m "not browser"

check:
	$(PYTHON) -m ruff check indicators pages tests app.py
	$(PYTHON) -m ruff format --check indicators pages tests app.py

bench:
	$(PYTHON) -m bench

screenshots:
	$(PYTHON) scripts/screenshots.py
