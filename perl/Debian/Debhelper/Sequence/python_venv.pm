#!/usr/bin/perl
# dh sequence add-on "python-venv": build a virtualenv with dh_venv.
use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;
use Debian::Debhelper::SequencerUtil qw(rules_explicit_target);

# Before dh_installinit/dh_installsystemd: our postinst snippet (byte-compiling)
# then runs before services start, and our prerm snippet after they stop.
insert_before("dh_installinit", "dh_venv");

# dh_lintian installs debian/<package>.lintian-overrides, replacing any
# file in its place: run it before dh_venv, which adds its own overrides
# for the venv's layout to the maintainer's.
remove_command("dh_lintian");
insert_before("dh_venv", "dh_lintian");

# Libraries inside a venv are private: no shlibs file naming the vendored
# libraries of wheels, and no ldconfig trigger (lintian:
# package-has-unnecessary-activation-of-ldconfig-trigger).
add_command_options("dh_makeshlibs", "-Xsite-packages/");

# dh_venv builds and installs the project with pip, so dh_auto_build,
# dh_auto_test, dh_auto_install and dh_auto_clean leave the sequence, as
# they did with dh-virtualenv: a --buildsystem=pybuild (or any -O option)
# on the dh line would otherwise win over an added --buildsystem=none and
# build, test and install the project with the system's python3.  Their
# override targets no longer run, so say so for those that do something.
# dh_auto_configure stays (as with dh-virtualenv) with --buildsystem=none,
# which without a -O--buildsystem avoids python_distutils for any
# setup.py, an error in compat 12 and later.
my @unused = qw(dh_auto_build dh_auto_test dh_auto_install dh_auto_clean);
add_command_options("dh_auto_configure", "--buildsystem=none");
# debhelper refuses remove_command and add_command_options for add-ons
# turned on from Build-Depends-Arch/-Indep, with a hint to move them.
remove_command($_) foreach @unused;
foreach my $command (@unused) {
	foreach my $target (map { ("override_$command$_", "execute_before_$command$_", "execute_after_$command$_") }
		("", "-arch", "-indep")) {
		next unless rules_explicit_target($target);
		warning("python-venv: debian/rules target $target never runs: the add-on removes $command "
			. "from the sequence; move its commands into override_dh_venv, after dh_venv");
	}
}

# Files installed from prebuilt wheels (auditwheel-patched libraries in
# <name>.libs/, Rust and mypyc extensions, pure Python) must ship as their
# RECORD hash says: dh_strip_nondeterminism, dh_dwz and dh_strip would
# rewrite them, and dh_shlibdeps cannot resolve bundled libraries that load
# one another without an RPATH.  dh_venv_setaside moves them out of the
# staging tree, dh_venv_restore moves them back, checks them and adds the
# system libraries they need to ${shlibs:Depends}.  Extensions compiled in
# this build stay, and get stripped, a -dbgsym package and Depends as usual.
# As steps of their own they hold when debian/rules overrides the others.
insert_before("dh_strip_nondeterminism", "dh_venv_setaside");
insert_before("dh_installdeb", "dh_venv_restore");

# What ran after dh_venv (the venv's own pip in override_dh_venv, files a
# later override copies in) is relocated, freed of bytecode and scanned for
# the build path once more, as dh_venv's own installs were: after
# dh_venv_restore (all files back, debug information stripped into -dbgsym,
# so a helper compiled with -g in the override no longer names the build
# directory) and before dh_installdeb and dh_md5sums.
insert_before("dh_installdeb", "dh_venv_rescan");

1;
