# The two commands of the README:
#   make demo   install socialaudit into .venv and audit the bundled real sample
#   make test   install socialaudit with its test extras into .venv and run every test
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip
DEMO_OUT ?= build/demo

CHROMIUM ?= /usr/bin/chromium

.PHONY: demo test install install-test install-browser install-java bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

install: $(BIN)/python
	$(PIP) install --quiet -e .

install-test: $(BIN)/python
	$(PIP) install --quiet -e '.[test,nlp-accurate,spark]'

demo: install
	$(BIN)/socialaudit demo --out $(DEMO_OUT)

# The browser tests drive Debian's Chromium with Playwright (no browser download): install the
# package when it is missing (as root, or with sudo).
install-browser:
	@test -x $(CHROMIUM) || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# The Spark parity tests need Java (17 is on these machines; install Debian's JRE when missing).
install-java:
	@command -v java >/dev/null || { \
	  echo "installing Debian's default-jre-headless for the Spark tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq default-jre-headless; }

test: install-test install-browser install-java
	mkdir -p build
	$(BIN)/python -m pytest --junitxml=build/test-results.xml

bench: $(BIN)/python
	$(PIP) install --quiet -e '.[bench]'
	$(BIN)/socialaudit bench ingest
	$(BIN)/socialaudit bench audit
	$(BIN)/socialaudit bench classify

clean:
	rm -rf build .pytest_cache
