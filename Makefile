# The two commands a newcomer needs: `make demo` and `make test`.
# Any Python 3.11 or newer on the PATH will do; `make PYTHON=/path/to/python3` picks one.
PYTHON ?= $(shell for p in python3 python3.14 python3.13 python3.12 python3.11; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	&& echo $$p && break; done)
VENV := .venv
BIN := $(VENV)/bin
EXTRAS := test,postgresql,redis
# Versions the test suite last passed with; `make lock` rewrites it from the virtualenv.
LOCK := requirements.lock

.PHONY: demo test install lock clean

$(BIN)/newsmon: pyproject.toml $(LOCK)
	@test -n "$(PYTHON)" || { echo "newsmon needs Python 3.11 or newer on the PATH (or make PYTHON=...)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c $(LOCK) -e ".[$(EXTRAS)]"
	touch $(BIN)/newsmon

install: $(BIN)/newsmon

demo: install
	$(BIN)/newsmon demo

test: install
	$(BIN)/python -m pytest -q -rs $(PYTEST_ARGS)

lock: install
	{ echo "# Versions the test suite last passed with; \`make install\` installs these, \`make lock\` rewrites this file."; \
	  $(BIN)/pip freeze --exclude-editable; } > $(LOCK)

clean:
	rm -rf $(VENV) newsmon.db newsmon-demo.db raw/
