# The two commands of README.md: `make serve` (install, index the seeds, serve)
# and `make test` (install everything the tests need, run them all).

PYTHON ?= python3
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore

.PHONY: install install-test serve test bench

# The compiled analysis core is built where cargo is; without it the Python chain serves alone.
HAVE_CARGO := $(shell command -v cargo >/dev/null && echo 1)

install:
	$(PIP) -e .
ifeq ($(HAVE_CARGO),1)
	$(PIP) ./native
endif

# The browser tests drive Debian's Chromium through Python Playwright.
install-test: install
	$(PIP) -e '.[test]'
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

serve: install
	bahth reindex
	bahth serve

# The suite runs twice: with the compiled core (required where cargo is) and
# as where it is absent, with the Python chain alone.
test: install-test
	BAHTH_REQUIRE_NATIVE=$(HAVE_CARGO) $(PYTHON) -m pytest -q
	BAHTH_ANALYSIS=python $(PYTHON) -m pytest -q
