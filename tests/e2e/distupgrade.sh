#!/bin/bash
# The dist-upgrade path of a dh-venv package (tests/e2e/test_releases.py):
#
#   distupgrade.sh OLD_RELEASE OLD_DEB NEW_RELEASE NEW_DEB RESULTS
#
# In a fresh OLD_RELEASE system that mmdebstrap makes from Debian's archive
# (and throws away): install OLD_DEB with apt and run its command; point apt
# at NEW_RELEASE and `apt-get full-upgrade`; run the command again; install
# NEW_DEB (the same source built on NEW_RELEASE) over it and run it; purge
# it.  Each step's outcome goes to a file in RESULTS for the test to check:
# old.run, upgrade.removed (packages the upgrade removes: libraries the new
# release renamed, never the package or its interpreter), upgraded.run,
# upgraded.python (what the venv's bin/python resolves to), new.version,
# new.run, purged.left (files of the venv or its links left after purge).
set -euo pipefail
mirror=http://deb.debian.org/debian

if [ "${1:-}" = inside ]; then
	# The customize hook of mmdebstrap: $2 is the new system, with /proc, /sys and /dev mounted.
	root=$2
	in_system() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
	pkg=$(dpkg-deb -f "$OLD_DEB" Package)
	command=${pkg}
	cp "$OLD_DEB" "$root/tmp/old.deb"
	cp "$NEW_DEB" "$root/tmp/new.deb"
	in_system apt-get install -y -q --no-install-recommends /tmp/old.deb
	in_system "$command" >"$RESULTS/old.run"

	rm -f "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*
	echo "deb $mirror $NEW_RELEASE main" >"$root/etc/apt/sources.list"
	in_system apt-get update -q
	in_system apt-get -s full-upgrade | sed -n 's/^Remv \([^ ]*\).*/\1/p' >"$RESULTS/upgrade.removed"
	in_system apt-get full-upgrade -y -q -o Dpkg::Options::=--force-confnew
	in_system "$command" >"$RESULTS/upgraded.run"
	basename "$(in_system readlink -f "/opt/venvs/$pkg/bin/python")" >"$RESULTS/upgraded.python"

	in_system apt-get install -y -q --no-install-recommends /tmp/new.deb
	in_system dpkg-query -W -f='${Version}\n' "$pkg" >"$RESULTS/new.version"
	in_system "$command" >"$RESULTS/new.run"
	in_system apt-get purge -y -q "$pkg"
	{
		[ ! -e "$root/opt/venvs/$pkg" ] || find "$root/opt/venvs/$pkg" -printf '%P\n'
		[ ! -L "$root/usr/bin/$command" ] || echo "/usr/bin/$command"
	} >"$RESULTS/purged.left"
	exit 0
fi

[ $# = 5 ] || { echo "usage: $0 OLD_RELEASE OLD_DEB NEW_RELEASE NEW_DEB RESULTS" >&2; exit 2; }
export OLD_RELEASE=$1 OLD_DEB=$2 NEW_RELEASE=$3 NEW_DEB=$4 RESULTS=$5
mmdebstrap --variant=apt --aptopt='APT::Install-Recommends "false"' \
	--customize-hook="\"$0\" inside \"\$1\"" \
	"$OLD_RELEASE" /dev/null "deb $mirror $OLD_RELEASE main"
