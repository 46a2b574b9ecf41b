VALUE = "sbomclassic"
