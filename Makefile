# install-party: build, test, install.  See README.md.
.SUFFIXES:

PREFIX  ?= /usr/local
BINDIR   = $(PREFIX)/bin
MANDIR   = $(PREFIX)/share/man
DATADIR  = $(PREFIX)/share/install-party
EXAMPLESDIR = $(DATADIR)/examples
BASHCOMPDIR = $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR  = $(PREFIX)/share/zsh/vendor-completions
DESTDIR ?=

# Build directory; `make check` also builds a sanitized copy in build/asan.
B ?= build

PKGS     = libcurl yaml-0.1 libssh2 libcrypto libcrypt libqrencode
CFLAGS  ?= -O2 -g
XCFLAGS  = -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wformat=2 \
           -Wno-format-nonliteral -Ilib -MMD -MP \
           -DIP_VERSION='"$(VERSION)"' $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ljq -lonig -lresolv -lm
# The one version: the tools (IP_VERSION), the wrapper and the man pages
# (substituted at build), the package (debian/changelog must agree: tests/012).
VERSION  = 0.1.0

TOOLS    = $(notdir $(patsubst %/main.c,%,$(wildcard cmd/ip-*/main.c)))
LIBSRC   = $(wildcard lib/*.c)
LIBOBJ   = $(LIBSRC:%.c=$(B)/%.o)
BINS     = $(TOOLS:%=$(B)/bin/%) $(if $(wildcard install-party),$(B)/bin/install-party)
MANS     = $(wildcard man/*.1 man/*.5 man/*.7)
GENMANS  = $(MANS:%=$(B)/%)
# @DATADIR@ and @VERSION@ in the wrapper, the version in the man pages' .Os.
SUBST    = sed -e 's|@VERSION@|$(VERSION)|g'

# Debian 12 packages: build (first line), tests and demo (the rest); the
# boot tests (tests/50N-boot-*) need mmdebstrap ... gpg, dpkg-dev, and root.
DEPS_BUILD = gcc make pkg-config libc6-dev libcurl4-openssl-dev libyaml-dev \
             libjq-dev libonig-dev libssh2-1-dev libssl-dev libcrypt-dev \
             libqrencode-dev libldns-dev
DEPS_TEST  = perl python3 python3-tabulate python3-cryptography mandoc valgrind shellcheck openssh-server \
             openssh-client caddy keystone sqlite3 jq curl iproute2 procps time sudo \
             chromium zbar-tools poppler-utils bash-completion zsh \
             dpkg-dev debhelper lintian mmdebstrap \
             bind9 bind9-dnsutils knot knot-dnsutils faketime bsdutils \
             clang libclang-rt-14-dev \
             debian-archive-keyring systemd-container dnsmasq-base pebble openssl gpg

all: $(BINS) $(GENMANS)

$(B)/%.o: %.c $(B)/.version
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(XCFLAGS) -c -o $@ $<

$(B)/libip.a: $(LIBOBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $(LIBOBJ)

.SECONDARY:
.SECONDEXPANSION:
$(B)/bin/ip-%: $$(addprefix $(B)/,$$(subst .c,.o,$$(wildcard cmd/ip-$$*/*.c cmd/ip-$$*/providers/*.c))) $(B)/libip.a
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(filter %.o,$^) $(B)/libip.a $(LDLIBS)

# The wrapper finds its tools beside itself and its data in the source tree.
$(B)/bin/install-party: install-party $(B)/.version
	@mkdir -p $(@D)
	$(SUBST) -e 's|@DATADIR@|$(CURDIR)/share|g' install-party > $@.tmp
	chmod +x $@.tmp && mv $@.tmp $@

$(B)/man/%: man/% $(B)/.version
	@mkdir -p $(@D)
	$(SUBST) -e 's|^\.Os install-party$$|.Os install-party $(VERSION)|' $< > $@.tmp && mv $@.tmp $@

# What embeds the version is rebuilt when it changes (make VERSION=... too).
$(B)/.version: FORCE
	@mkdir -p $(@D)
	@echo '$(VERSION)' | cmp -s - $@ || echo '$(VERSION)' > $@
FORCE:

# ip-dns's rfc2136 provider: libldns (no .pc file in every release) and threads.
$(B)/bin/ip-dns: LDLIBS += $(or $(shell pkg-config --libs ldns 2>/dev/null),-lldns) -pthread

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# `make deps`: install what is missing (as root), or say the exact command.
deps:
	@missing=""; for p in $(DEPS_BUILD) $(DEPS_TEST); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing packages; run as root:"; \
	  echo "  apt-get update && apt-get install -y$$missing"; exit 1; \
	fi

asan:
	$(MAKE) B=build/asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" all

# libFuzzer targets (tests/fuzz/fuzz_*.c): the library and the providers
# built again with clang, instrumented; `make check` replays the corpora and
# fuzzes each a few seconds (tests/013-fuzz.t), `make fuzz` runs them long.
FUZZ_CC      = clang
FUZZ_FLAGS   = -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZERS      = $(notdir $(basename $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_TIME   ?= 600
FB           = build/fuzz
fuzz-objs:
	$(MAKE) B=$(FB) CC=$(FUZZ_CC) CFLAGS="$(FUZZ_FLAGS) -fsanitize=fuzzer-no-link" \
	  $(FB)/libip.a $(FB)/cmd/ip-dns/providers/ovh.o $(FB)/cmd/ip-instances/providers/openstack.o \
	  $(FB)/cmd/ip-instances/providers/keystone.o \
	  $(FB)/cmd/ip-dns/providers/hetzner.o $(FB)/cmd/ip-instances/providers/hetzner.o
fuzz-build: fuzz-objs
	@mkdir -p $(FB)/bin
	for f in $(FUZZERS); do \
	  extra=""; case $$f in fuzz_ovh) extra=$(FB)/cmd/ip-dns/providers/ovh.o ;; \
	  fuzz_openstack) extra="$(FB)/cmd/ip-instances/providers/openstack.o $(FB)/cmd/ip-instances/providers/keystone.o" ;; \
	  fuzz_hetzner) extra="$(FB)/cmd/ip-dns/providers/hetzner.o $(FB)/cmd/ip-instances/providers/hetzner.o" ;; esac; \
	  $(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -std=c11 -D_GNU_SOURCE -Ilib -o $(FB)/bin/$$f \
	    tests/fuzz/$$f.c $$extra $(FB)/libip.a $(LDLIBS) || exit 1; done
# Long runs: new inputs go to build/fuzz/new/NAME, then the smallest set
# that covers as much is merged into tests/fuzz/corpus/NAME (commit it).
# The config loader's errors leave what ip_die does not free: its long run
# is in forked jobs, which start afresh.
fuzz: fuzz-build
	for f in $(FUZZERS); do n=$${f#fuzz_}; mkdir -p $(FB)/new/$$n tests/fuzz/corpus/$$n; \
	  long=""; [ $$n = config ] && long="-fork=1 -ignore_ooms=1"; \
	  sh tests/fuzz/run.sh $(FB)/bin/$$f $$long -max_total_time=$(FUZZ_TIME) \
	    -artifact_prefix=$(FB)/new/$$n/ $(FB)/new/$$n tests/fuzz/corpus/$$n || exit 1; \
	  sh tests/fuzz/run.sh $(FB)/bin/$$f -merge=1 tests/fuzz/corpus/$$n $(FB)/new/$$n; done

lint-man:
	mandoc -Tlint -Wwarning $(MANS)

check: deps
	$(MAKE) all
	$(MAKE) asan
	$(MAKE) fuzz-build
	$(MAKE) lint-man
	IP_BINDIR=$(CURDIR)/build/asan/bin IP_PLAIN_BINDIR=$(CURDIR)/build/bin \
	  prove -j2 --timer tests/

demo: deps
	$(MAKE) all
	sh examples/demo.sh

# Every benchmark, one table (a minute or more: not part of check; the
# smoke run tests/014 is).
bench: all
	sh bench/run.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(DATADIR)
	for t in $(TOOLS); do cp $(B)/bin/$$t $(DESTDIR)$(BINDIR)/; done
	if [ -f install-party ]; then \
	  $(SUBST) -e 's|@DATADIR@|$(DATADIR)|g' install-party > $(DESTDIR)$(BINDIR)/install-party && \
	  chmod 755 $(DESTDIR)$(BINDIR)/install-party; fi
	for m in $(filter %.1,$(GENMANS)); do cp $$m $(DESTDIR)$(MANDIR)/man1/; done
	for m in $(filter %.5,$(GENMANS)); do cp $$m $(DESTDIR)$(MANDIR)/man5/; done
	for m in $(filter %.7,$(GENMANS)); do cp $$m $(DESTDIR)$(MANDIR)/man7/; done
	cp -R share/. $(DESTDIR)$(DATADIR)/
	mkdir -p $(DESTDIR)$(EXAMPLESDIR)
	cp examples/* $(DESTDIR)$(EXAMPLESDIR)/
	mkdir -p $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR)
	cp completion/install-party.bash $(DESTDIR)$(BASHCOMPDIR)/install-party
	for t in $(TOOLS); do ln -sf install-party $(DESTDIR)$(BASHCOMPDIR)/$$t; done
	cp completion/_install-party $(DESTDIR)$(ZSHCOMPDIR)/_install-party

# `make deb`: the Debian package, built by dpkg-buildpackage in a copy of
# the tree (it writes into debian/ and ..), into $(DEBDIR).
DEBDIR ?= $(B)
deb:
	@command -v dpkg-buildpackage >/dev/null && command -v dh >/dev/null || \
	  { echo "deb: needs dpkg-dev and debhelper (make deps)" >&2; exit 1; }
	@v=$$(dpkg-parsechangelog -S Version) && [ "$$v" = "$(VERSION)" ] || \
	  { echo "deb: debian/changelog says $$v, the Makefile $(VERSION)" >&2; exit 1; }
	@mkdir -p $(DEBDIR)
	set -e; tmp=$$(mktemp -d "$${TMPDIR:-/tmp}/install-party-deb.XXXXXX"); \
	trap 'rm -rf "$$tmp"' EXIT; \
	mkdir "$$tmp/install-party-$(VERSION)"; \
	tar -cf - --exclude=./build --exclude=./.git --exclude=./tests/tmp \
	  --exclude=./debian/install-party --exclude=./debian/.debhelper . | \
	  tar -xf - -C "$$tmp/install-party-$(VERSION)"; \
	(cd "$$tmp/install-party-$(VERSION)" && dpkg-buildpackage -us -uc -b); \
	cp "$$tmp"/install-party_$(VERSION)_*.deb $(DEBDIR)/; \
	ls $(DEBDIR)/install-party_$(VERSION)_*.deb

print-version:
	@echo $(VERSION)

clean:
	rm -rf build

.PHONY: all deps asan lint-man check demo bench install deb print-version clean FORCE fuzz fuzz-build fuzz-objs
