VALUE = "sbomsrc"
