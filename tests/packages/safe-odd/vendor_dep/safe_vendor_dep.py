NAME = "vendor_dep"
