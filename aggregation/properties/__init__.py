"""Property (axiom) checks of every registry rule on a population: :mod:`.axioms`; what they cost
before they run: :mod:`.cost`."""
