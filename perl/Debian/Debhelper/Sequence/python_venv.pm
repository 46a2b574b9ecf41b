#!/usr/bin/perl
# dh sequence add-on "python-venv": build a virtualenv with dh_venv.
use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;

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

# dh_venv builds and installs the project with pip.  Left alone, dh_auto_*
# would pick the python_distutils build system for any setup.py, which
# errors out in compat 12 and later.  "none" keeps the commands (and any
# override_dh_auto_* target) in the sequence but makes them do nothing.
foreach my $command (qw(dh_auto_configure dh_auto_build dh_auto_test dh_auto_install dh_auto_clean)) {
	add_command_options($command, "--buildsystem=none");
}

# Wheels from the index ship stripped, often patchelf-modified libraries
# (<name>.libs/): dwz rejects them and strip can corrupt them.  In a Debian
# package tree site-packages/ exists only inside venvs (Debian's own Python
# uses dist-packages), so this leaves everything else to dh_dwz/dh_strip.
# dh_shlibdeps still reads the venv, so Depends names the system libraries
# that locally built extensions link.
foreach my $command (qw(dh_dwz dh_strip)) {
	add_command_options($command, "-Xsite-packages/");
}

1;
