"""Ranked choices (RCPO, Tang & Feng, arXiv 2510.23631): :mod:`.models` holds the exact MNL and
Mallows-RMJ choice and top-k probabilities and the population's own; :mod:`.samplers` draws
ranked-choice data from a population or a model."""
