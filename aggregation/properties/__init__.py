"""Property (axiom) checks of every registry rule on a population, and paradoxes found on demand.

* :mod:`.base`: what a property is (:class:`~.base.Property`), what a check reports
  (:class:`~.base.AxiomCheck`) and how outcomes are read and compared;
* the families, each listing its properties in ``ENTRIES``: :mod:`.majoritarian` (majority,
  Condorcet, losers, Smith), :mod:`.independence` (Pareto, IIA, clones), :mod:`.symmetry`
  (anonymity, neutrality, homogeneity), :mod:`.electorate` (participation, reinforcement),
  :mod:`.responsiveness` (monotonicity, later-no-harm), :mod:`.strategic` (manipulation);
* :mod:`.registry`: every property (:data:`~.registry.PROPERTIES`);
* :mod:`.axioms`: the public calls (``check``, ``check_rule``); :mod:`.table`: the whole table
  (``check_table``, ``check_all``), in parallel processes;
* :mod:`.variations`: the variations of a population the checks explore;
* :mod:`.paradox`: the smallest population on which a rule violates a property
  (``find_paradox``); :mod:`.paradox_table`: the precomputed table of them;
* :mod:`.cost`: what checking costs, before it runs.
"""
