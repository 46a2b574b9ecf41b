VALUE = "sbomexpr"
