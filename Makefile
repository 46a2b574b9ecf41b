# dh-venv entry points for users and developers.  Run as root (or with sudo):
# they install Debian packages.
#
#   make demo    build and install dh-venv, then build, install, run and
#                purge the example application in examples/hello-venv
#   make check   install what the tests need and run the whole test suite
#                (lint, types, unit and end-to-end tests)

SHELL := /bin/bash
PYTHON := /usr/bin/python3
BUILD := build
VERSION := $(shell sed -n 's/^__version__ = "\(.*\)"/\1/p' dh_venv/__init__.py)
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0
# What dh-venv needs at run time and to build its own package.
DEPS := build-essential debhelper dpkg-dev fakeroot python3-virtualenv python3-debian python3-packaging \
	python3-license-expression \
	dh-python python3-all python3-setuptools python3-docutils distro-info-data
# What the tests need on top: fixtures build wheels and a C extension.
TEST_DEPS := python3-pytest python3-pip python3-wheel python3-dev python3-venv mypy lintian \
	python3-pip-whl python3-setuptools-whl python3-wheel-whl \
	gcc g++ patchelf zlib1g-dev libpq-dev git dh-virtualenv passwd systemd \
	diffoscope-minimal piuparts mmdebstrap uidmap sbuild dpkg-repack
# The tests `make check` runs; check-subset runs SUBSET instead.
TESTS := tests
SUBSET := tests/unit tests/test_docs.py tests/e2e/test_example.py tests/e2e/test_compiled.py \
	tests/e2e/test_compiled_wheels.py tests/e2e/test_lean.py tests/e2e/test_options.py tests/e2e/test_qa.py \
	tests/e2e/test_inputs.py tests/e2e/test_releases.py tests/e2e/test_init.py
RUFF := ruff==0.17.5
# The machine's own pip configuration must not choose what gets installed.
PIP_CLEAN := env -u PIP_FIND_LINKS -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL PIP_CONFIG_FILE=/dev/null

.PHONY: all deps deb install demo test-deps lint test check check-subset check-other print-packages clean

# dpkg-buildpackage of this tree uses pybuild; this default target does nothing.
all:

deps:
	$(APT_GET) update
	$(APT_GET) install --no-install-recommends $(DEPS)

# Build dh-venv_$(VERSION)_all.deb from a clean copy of the tree, into build/.
deb: deps
	rm -rf $(BUILD)/src && mkdir -p $(BUILD)/src
	tar --exclude=./$(BUILD) --exclude=./.git --exclude=./.tools -cf - . | tar -C $(BUILD)/src -xf -
	cd $(BUILD)/src && dpkg-buildpackage -us -uc -b
	@echo "built $(BUILD)/dh-venv_$(VERSION)_all.deb"

install: deb
	$(APT_GET) install --reinstall ./$(BUILD)/dh-venv_$(VERSION)_all.deb

demo: install
	rm -rf $(BUILD)/demo && mkdir -p $(BUILD)/demo
	cp -a examples/hello-venv $(BUILD)/demo/hello-venv-1.0.0
	cd $(BUILD)/demo/hello-venv-1.0.0 && dpkg-buildpackage -us -uc -b
	$(APT_GET) install ./$(BUILD)/demo/hello-venv_1.0.0_*.deb
	env -i PATH=/usr/bin:/bin hello-venv --name demo
	$(APT_GET) purge hello-venv
	test ! -e /opt/venvs/hello-venv && test ! -e /usr/bin/hello-venv
	@echo "demo: built, installed, ran and purged hello-venv"

test-deps: deps
	$(APT_GET) install --no-install-recommends $(TEST_DEPS)
	# sbuild's unshare mode (dh-venv build --release) needs subordinate ids for root.
	grep -q '^root:' /etc/subuid || usermod --add-subuids 100000-165535 --add-subgids 100000-165535 root
	test -x .tools/bin/ruff || { $(PYTHON) -m venv .tools && $(PIP_CLEAN) .tools/bin/pip install -q $(RUFF); }

lint:
	.tools/bin/ruff check .
	.tools/bin/ruff format --check .
	mypy

# End-to-end tests use the installed dh-venv package (built by `make install`).
test:
	DH_VENV_TEST_INSTALLED=1 $(PYTHON) -m pytest $(TESTS)

check: test-deps install lint test

# The part of the suite that proves the other supported release (README: Test).
check-subset: TESTS = $(SUBSET)
check-subset: check

# check-subset on the other supported release, in a clean chroot (.ci/other-release).
check-other:
	.ci/other-release check-subset

print-packages:
	@echo $(DEPS) $(TEST_DEPS)

clean:
	rm -rf $(BUILD) .tools
