# Set-up and checks for a fresh Debian/Ubuntu machine. `make test` and `make demo` install
# everything they need (system packages with apt-get, Python packages with pip) themselves.
PYTHON ?= python3
APT_PACKAGES = tesseract-ocr tesseract-ocr-eng libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fonts-liberation chromium
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)

.PHONY: setup system-deps python-deps test demo bench clean

setup: system-deps python-deps

system-deps:
	@if ! command -v tesseract >/dev/null 2>&1 || ! command -v chromium >/dev/null 2>&1 || ! ldconfig -p | grep -q libpango-1.0; then \
		$(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi

python-deps:
	$(PYTHON) -m pip install -q -e ".[test]"

test: setup
	OMP_THREAD_LIMIT=1 $(PYTHON) -m pytest -n 2 -q

demo: setup
	@for f in examples/*; do echo "== $$f"; form4 extract "$$f" --format json | head -60; done

clean:
	rm -rf build dist *.egg-info .pytest_cache

bench: setup
	OMP_THREAD_LIMIT=1 $(PYTHON) benchmarks/bench_layout.py --docs 20 --scans 4
	OMP_THREAD_LIMIT=1 $(PYTHON) benchmarks/bench_render.py --docs 20
	OMP_THREAD_LIMIT=1 $(PYTHON) benchmarks/bench_bulk.py --pdfs 40 --scans 8 --texts 100
