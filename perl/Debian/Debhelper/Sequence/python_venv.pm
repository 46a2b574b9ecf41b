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

1;
