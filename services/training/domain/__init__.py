"""Training's domain: gaps over the year, the JP ledger's rules, the catalogue, career rules and the agency
plan's optimiser. Pure code, no I/O; import the modules directly."""
