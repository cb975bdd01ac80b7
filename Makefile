# The two commands of README.md: `make serve` (install, index the seeds, serve)
# and `make test` (install everything the tests need, run them all).

PYTHON ?= python3
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore

.PHONY: install install-test serve test bench

install:
	$(PIP) -e .

# The browser tests drive Debian's Chromium through Python Playwright.
install-test: install
	$(PIP) -e '.[test]'
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

serve: install
	bahth reindex
	bahth serve

test: install-test
	$(PYTHON) -m pytest -q
