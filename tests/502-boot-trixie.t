#!/bin/sh
# shellcheck disable=SC2034 # SUITE and VARIANTS are read by boot_main
# The first-boot setup booted for real: Debian 13 (trixie) with systemd
# and cloud-init in systemd-nspawn (see tests/boot/lib.sh).  Needs root and
# CAP_NET_ADMIN, else skipped with the reason.
. "$(dirname "$0")/lib.sh"
. "$TOP/tests/boot/lib.sh"
. "$TOP/tests/boot/run.sh"
SUITE=trixie
VARIANTS=${IP_BOOT_VARIANTS:-"plain plain lock ubuntu-sshd sshd-late caddy-404 caddy-down second-run sig fail plain"}
boot_main
