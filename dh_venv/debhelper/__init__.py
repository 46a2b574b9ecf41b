"""debhelper's file conventions: package list, autoscripts, substvars, links, lintian overrides."""
