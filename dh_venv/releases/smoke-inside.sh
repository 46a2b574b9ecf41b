# Run by /bin/sh (no #! line: it is data of the dh_venv package, copied into the chroot).
# The part of `dh-venv smoke` that runs inside the fresh chroot (dh_venv/releases/smoke.py
# writes /smoke/plan and reads /smoke/results back):
#
#   plan/debs/*.deb   the packages under test        plan/packages  their names
#   plan/extra        packages the tests depend on    plan/venvs     their venv directories
#   plan/links        the /usr/bin links they ship    plan/checks/N/ kind (command, test-command,
#                     test-script), arg (command name, shell command, script)
#
# Every step leaves STEP.status (exit status; "none" for a purge with nothing
# to purge) and STEP.log; each check N leaves checks/N.{status,out,err,flag};
# `left` lists what the purge left behind.  This script always exits 0, so
# that mmdebstrap copies the results out.
set -u
plan=/smoke/plan
out=/smoke/results
mkdir -p "$out/checks"
export DEBIAN_FRONTEND=noninteractive
# A clean environment, in the check's own empty directory (autopkgtest's AUTOPKGTEST_TMP).
clean_env() {
	(cd "$work" && env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
		LANG=C.UTF-8 AUTOPKGTEST_TMP="$work" "$@")
}
step() {
	name=$1
	shift
	"$@" >"$out/$name.log" 2>&1
	echo $? >"$out/$name.status"
}

ls -A /usr/bin | LC_ALL=C sort >"$out/bin.before"
step update apt-get update -q
# shellcheck disable=SC2046 # one word per line in these files
step install apt-get install -y -q "$plan"/debs/*.deb $(cat "$plan/extra")

run_check() {
	dir=$1
	id=$(basename "$dir")
	kind=$(cat "$dir/kind")
	result=$out/checks/$id
	work=/tmp/smoke-work/$id
	mkdir -p "$work"
	case $kind in
	command)
		# --version, else --help: what every command line answers.
		for flag in --version --help; do
			echo "$flag" >"$result.flag"
			clean_env timeout 120 "$(cat "$dir/arg")" "$flag" >"$result.out" 2>"$result.err" </dev/null
			status=$?
			[ $status != 0 ] || break
		done
		;;
	test-command)
		clean_env timeout 600 sh -ec "$(cat "$dir/arg")" >"$result.out" 2>"$result.err" </dev/null
		status=$?
		;;
	test-script)
		chmod +x "$dir/arg"
		clean_env timeout 600 "$dir/arg" >"$result.out" 2>"$result.err" </dev/null
		status=$?
		;;
	esac
	echo "$status" >"$result.status"
}

if [ "$(cat "$out/install.status")" = 0 ]; then
	for dir in "$plan"/checks/*/; do
		[ -d "$dir" ] && run_check "${dir%/}"
	done
fi

# The packages dpkg knows (a failed install may have left some half-installed; others never got in).
known=$(while read -r package; do dpkg-query -W "$package" >/dev/null 2>&1 && echo "$package"; done <"$plan/packages")
if [ -n "$known" ]; then
	# shellcheck disable=SC2086
	step purge apt-get purge -y -q $known
else
	echo none >"$out/purge.status"
fi
{
	while read -r venv; do
		[ ! -e "$venv" ] && [ ! -L "$venv" ] || find "$venv" | LC_ALL=C sort
	done <"$plan/venvs"
	while read -r link; do
		[ ! -e "$link" ] && [ ! -L "$link" ] || echo "$link"
	done <"$plan/links"
	# Anything else new in /usr/bin that no package owns (alternatives of dependencies aside).
	ls -A /usr/bin | LC_ALL=C sort >"$out/bin.after"
	LC_ALL=C comm -13 "$out/bin.before" "$out/bin.after" | while read -r name; do
		case $(readlink "/usr/bin/$name") in /etc/alternatives/*) continue ;; esac
		grep -qx "/usr/bin/$name" "$plan/links" && continue
		dpkg -S "/usr/bin/$name" >/dev/null 2>&1 || echo "/usr/bin/$name"
	done
} >"$out/left"
exit 0
