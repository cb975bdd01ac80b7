# The commands of README.md: `make serve` (install, index the seeds, serve),
# `make check` (the quick loop: lint, format, and the unit and property tests:
# no server, browser, cluster, build, command run or corpus) and `make test` (install everything the
# tests need, then `make check` and all the other tests).

PYTHON ?= python3
PIP := $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore
APT := DEBIAN_FRONTEND=noninteractive apt-get -y -qq -o=Dpkg::Use-Pty=0
APT_LOG := $(or $(TMPDIR),/tmp)/bahth-apt.log
# The tests `make check` runs: those with none of these markers (pyproject.toml).
QUICK := not server and not browser and not cluster and not install and not cli and not corpus

.PHONY: install install-dev install-test serve check test

# The compiled analysis core is built where cargo is; without it the Python chain serves alone.
HAVE_CARGO := $(shell command -v cargo >/dev/null && echo 1)

install:
	$(PIP) -e .
ifeq ($(HAVE_CARGO),1)
	$(PIP) ./native
endif

# Python only: what `make check` needs (pytest, hypothesis, ruff, ...).
install-dev: install
	$(PIP) -e '.[test]'

# The browser tests drive Debian's Chromium through Python Playwright; the page
# asks for Noto's Arabic fonts.  apt's output goes to a log, shown on failure.
install-test: install-dev
	@command -v chromium >/dev/null && fc-list :lang=ar family | grep -q Noto || { \
	  echo "apt-get install chromium fonts-noto-core (log: $(APT_LOG))"; \
	  { $(APT) update && $(APT) install --no-install-recommends chromium fonts-noto-core; } \
	    >$(APT_LOG) 2>&1 || { cat $(APT_LOG); exit 1; }; }

serve: install
	bahth reindex
	bahth serve

check:
	@$(PYTHON) -c 'import pytest, hypothesis, ruff' 2>/dev/null || $(MAKE) --no-print-directory install-dev
	$(PYTHON) -m ruff check .
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m pytest -q -m '$(QUICK)'

# With the compiled core (required where cargo is), then as where it is
# absent, with the Python chain alone (the wheel's contents do not change).
test: install-test
	BAHTH_REQUIRE_NATIVE=$(HAVE_CARGO) $(MAKE) --no-print-directory check
	BAHTH_REQUIRE_NATIVE=$(HAVE_CARGO) $(PYTHON) -m pytest -q -m 'not ($(QUICK))'
	BAHTH_ANALYSIS=python $(PYTHON) -m pytest -q -m 'not install'
