"""The simulation, pure and without I/O: random draws, identifiers, providers, the population and its
enrollment, the care it uses, how that care is priced, and the records these stages hand each other."""
