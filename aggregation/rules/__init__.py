"""Aggregation rules, by family.

* :mod:`.scoring`: Borda, plurality;
* :mod:`.majority`: Copeland, Llull, Black, Condorcet and majority winners, the Smith set, the majority
  graph, and the margin helpers the next three share;
* :mod:`.margins`: minimax, Schulze, ranked pairs, Split Cycle, Stable Voting;
* :mod:`.kemeny`: Kemeny-Young (winners and ranking), Slater, Dodgson, Young (exact up to stated sizes);
* :mod:`.sets`: tournament solutions: Smith, Schwartz, uncovered (four definitions), Banks, bipartisan, essential;
* :mod:`.lotteries`: the maximal lottery, the C1 maximal lottery, proportional Borda, random dictatorship,
  the uniform policy;
* :mod:`.alignment`: what RLHF, DPO, IPO and the consistent loss converge to (NBC, the Bradley-Terry
  reward, the tilted policies) and how far one Bradley-Terry model is from P;
* :mod:`.sampling`: the smallest change of the sampling distribution that flips NBC;
* :mod:`.registry`: every rule behind one call, self-describing.

Kept free of imports so that any module of the core can import one of these without importing
them all (the registry imports the test-time games, which import the alignment limits).
"""
