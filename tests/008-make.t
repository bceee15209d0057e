#!/bin/sh
# make install (PREFIX, DESTDIR) and make deps (what it says when not root).
. "$(dirname "$0")/lib.sh"

run make -s -C "$TOP" install DESTDIR="$T/root" PREFIX=/opt/ip
is "$rc" 0 "make install: exit 0"
for t in "$TOP"/cmd/ip-*/main.c; do
	t=$(basename "$(dirname "$t")")
	ok "$([ -x "$T/root/opt/ip/bin/$t" ]; echo $?)" "installs $t"
	ok "$([ -f "$T/root/opt/ip/share/man/man1/$t.1" ]; echo $?)" "installs $t.1"
done
ok "$([ -f "$T/root/opt/ip/share/install-party/setup.sh.in" ]; echo $?)" "installs the first-boot template"
ok "$([ -x "$T/root/opt/ip/share/install-party/examples/delete-orphans.sh" ]; echo $?)" "installs the examples (the crontab names them there)"
ok "$([ -f "$T/root/opt/ip/share/man/man5/install-party.yaml.5" ]; echo $?)" "installs install-party.yaml.5"
ok "$([ -f "$T/root/opt/ip/share/man/man7/ip-provider.7" ]; echo $?)" "installs ip-provider.7"
if [ -f "$TOP/install-party" ]; then
	ok "$([ -x "$T/root/opt/ip/bin/install-party" ]; echo $?)" "installs the install-party wrapper"
	like "$(cat "$T/root/opt/ip/bin/install-party")" "/opt/ip/share/install-party" "the wrapper finds its data under PREFIX"
fi

# Fake a machine that lacks one package, as a normal user.
mkdir "$T/stub"
cat > "$T/stub/dpkg" <<'EOS'
#!/bin/sh
[ "$2" = libjq-dev ] && exit 1
exit 0
EOS
printf '#!/bin/sh\necho 1000\n' > "$T/stub/id"
printf '#!/bin/sh\necho apt-get must not run >&2; exit 1\n' > "$T/stub/apt-get"
chmod +x "$T/stub/"*
run env PATH="$T/stub:$PATH" make -s -C "$TOP" deps
is "$rc" 2 "make deps, a package missing, not root: fails"
like "$out" "apt-get install -y libjq-dev$" "and prints the exact apt-get line"
unlike "$err" "must not run" "and installs nothing"
printf '#!/bin/sh\nexit 0\n' > "$T/stub/dpkg"
run env PATH="$T/stub:$PATH" make -s -C "$TOP" deps
is "$rc:$out" "0:deps: all packages present" "nothing missing: no network, exit 0"
done_testing
