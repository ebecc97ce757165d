"""Property (axiom) checks of every registry rule on a population: :mod:`.axioms`."""
