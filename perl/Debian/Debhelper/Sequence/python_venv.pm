#!/usr/bin/perl
# dh sequence add-on "python-venv": build a virtualenv with dh_venv.
use strict;
use warnings;
use Debian::Debhelper::Dh_Lib;

# Before dh_installinit/dh_installsystemd: our postinst snippet (byte-compiling)
# then runs before services start, and our prerm snippet after they stop.
insert_before("dh_installinit", "dh_venv");

# dh_venv builds and installs the project with pip.  Left alone, dh_auto_*
# would pick the python_distutils build system for any setup.py, which
# errors out in compat 12 and later.  "none" keeps the commands (and any
# override_dh_auto_* target) in the sequence but makes them do nothing.
foreach my $command (qw(dh_auto_configure dh_auto_build dh_auto_test dh_auto_install dh_auto_clean)) {
	add_command_options($command, "--buildsystem=none");
}

1;
