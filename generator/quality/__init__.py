"""Reading a dataset back from its files alone: `validate` (per-resource checks and those across resources),
`stats` (the realism report against the profile's targets) and its HTML report."""
