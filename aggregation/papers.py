"""The one table of papers (as data) and how the code cites them.

Every citation in the core, the scenario files, the dashboard and the worker names a paper by a key
of :data:`PAPERS`; where in the paper goes with it in a :class:`Reference` (``Reference("jackpot",
"section 5.1, eq. (1)")``). The four papers this project implements are in ``../shared/papers/``
(keys ``jackpot``, ``heterogeneous``, ``test_time``, ``rcpo``); the others are cited for a rule's
origin or a method's loss.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import AggregationError


@dataclass(frozen=True)
class Paper:
    """A paper: ``short`` for a citation in running text ("Maura-Rivero et al. 2025"), ``authors``,
    ``title``, ``venue`` (journal, conference or arXiv id) and ``url`` ("" when there is no stable
    link, e.g. an eighteenth-century memoir)."""

    key: str
    short: str
    authors: str
    title: str
    venue: str
    url: str = ""

    def __str__(self) -> str:
        return f"{self.authors}: {self.title} ({self.venue})"


PAPERS: dict[str, Paper] = {
    p.key: p
    for p in [
        # the four papers this project implements (../shared/papers/)
        Paper(
            "jackpot",
            "Maura-Rivero et al. 2025",
            "Maura-Rivero, Lanctot, Visin, Larson",
            "Jackpot! Alignment as a Maximal Lottery",
            "arXiv 2501.19266",
            "https://arxiv.org/abs/2501.19266",
        ),
        Paper(
            "heterogeneous",
            "Shirali et al. 2025",
            "Shirali, Nasr-Esfahany, Alomar, Mirtaheri, Abebe, Procaccia",
            "Direct Alignment with Heterogeneous Preferences",
            "arXiv 2502.16320",
            "https://arxiv.org/abs/2502.16320",
        ),
        Paper(
            "test_time",
            "Cai & Zheng 2026",
            "Cai, Zheng",
            "Asymptotic Universal Alignment: A New Alignment Framework via Test-Time Scaling",
            "arXiv 2601.08777",
            "https://arxiv.org/abs/2601.08777",
        ),
        Paper(
            "rcpo",
            "Tang & Feng 2025",
            "Tang, Feng",
            "Beyond Pairwise: Empowering LLM Alignment with (Ranked) Choice Modeling",
            "arXiv 2510.23631",
            "https://arxiv.org/abs/2510.23631",
        ),
        # alignment methods and their limits
        Paper(
            "hidden_context",
            "Siththaranjan et al. 2024",
            "Siththaranjan, Laidlaw, Hadfield-Menell",
            "Distributional Preference Learning: Understanding and Accounting for Hidden Context in RLHF",
            "ICLR 2024, arXiv 2312.08358",
            "https://arxiv.org/abs/2312.08358",
        ),
        Paper(
            "rlhf",
            "Ouyang et al. 2022",
            "Ouyang et al.",
            "Training language models to follow instructions with human feedback",
            "NeurIPS 2022, arXiv 2203.02155",
            "https://arxiv.org/abs/2203.02155",
        ),
        Paper(
            "dpo",
            "Rafailov et al. 2023",
            "Rafailov, Sharma, Mitchell, Ermon, Manning, Finn",
            "Direct Preference Optimization: Your Language Model is Secretly a Reward Model",
            "NeurIPS 2023, arXiv 2305.18290",
            "https://arxiv.org/abs/2305.18290",
        ),
        Paper(
            "ipo",
            "Azar et al. 2024",
            "Azar et al.",
            "A General Theoretical Paradigm to Understand Learning from Human Preferences",
            "AISTATS 2024, arXiv 2310.12036",
            "https://arxiv.org/abs/2310.12036",
        ),
        Paper(
            "nlhf",
            "Munos et al. 2024",
            "Munos et al.",
            "Nash Learning from Human Feedback",
            "ICML 2024, arXiv 2312.00886",
            "https://arxiv.org/abs/2312.00886",
        ),
        Paper(
            "spo",
            "Swamy et al. 2024",
            "Swamy, Dann, Kidambi, Wu, Agarwal",
            "A Minimaximalist Approach to Reinforcement Learning from Human Feedback",
            "ICML 2024, arXiv 2401.04056",
            "https://arxiv.org/abs/2401.04056",
        ),
        Paper(
            "distortion",
            "Goelz, Haghtalab & Yang 2025",
            "Goelz, Haghtalab, Yang",
            "Distortion of AI Alignment: Does Preference Optimization Optimize for Preferences?",
            "arXiv 2505.23749",
            "https://arxiv.org/abs/2505.23749",
        ),
        Paper(
            "mallows_choice",
            "Feng & Tang 2022",
            "Feng, Tang",
            "On a Mallows-type Model for (Ranked) Choices",
            "arXiv 2207.01783",
            "https://arxiv.org/abs/2207.01783",
        ),
        # ratings from comparison logs
        Paper(
            "elo", "Elo 1978", "A. E. Elo", "The Rating of Chessplayers, Past and Present", "Arco, 2nd edition, 1978"
        ),
        Paper(
            "chatbot_arena",
            "Chiang et al. 2024",
            "Chiang, Zheng, Sheng, Angelopoulos, Li, Li, Zhang, Zhu, Jordan, Gonzalez, Stoica",
            "Chatbot Arena: An Open Platform for Evaluating LLMs by Human Preference",
            "ICML 2024, arXiv 2403.04132",
            "https://arxiv.org/abs/2403.04132",
        ),
        Paper(
            "fastchat",
            "FastChat elo_analysis.py",
            "LMSYS (the Chatbot Arena team)",
            "fastchat/serve/monitor/elo_analysis.py: compute_elo and compute_elo_mle_with_tie, the arena's published code",
            "github.com/lm-sys/FastChat",
            "https://github.com/lm-sys/FastChat/blob/main/fastchat/serve/monitor/elo_analysis.py",
        ),
        Paper(
            "efron",
            "Efron & Tibshirani 1993",
            "B. Efron, R. J. Tibshirani",
            "An Introduction to the Bootstrap",
            "Chapman & Hall, 1993",
        ),
        # social choice
        Paper(
            "borda",
            "Borda 1781",
            "J.-C. de Borda",
            "Mémoire sur les élections au scrutin",
            "Histoire de l'Académie Royale des Sciences, 1781",
        ),
        Paper(
            "copeland",
            "Copeland 1951",
            "A. H. Copeland",
            'A "reasonable" social welfare function',
            "Seminar on applications of mathematics to social sciences, University of Michigan, 1951",
        ),
        Paper(
            "kreweras",
            "Kreweras 1965",
            "G. Kreweras",
            "Aggregation of preference orderings",
            "Mathematics and Social Sciences I, 1965",
        ),
        Paper(
            "fishburn",
            "Fishburn 1984",
            "P. C. Fishburn",
            "Probabilistic social choice based on simple voting comparisons",
            "Review of Economic Studies 51(4), 1984",
        ),
        Paper(
            "maximal_lotteries",
            "Brandl, Brandt & Seedig 2016",
            "Brandl, Brandt, Seedig",
            "Consistent Probabilistic Social Choice",
            "Econometrica 84(5), 2016",
            "https://doi.org/10.3982/ECTA13337",
        ),
        Paper(
            "gibbard",
            "Gibbard 1977",
            "A. Gibbard",
            "Manipulation of Schemes that Mix Voting with Chance",
            "Econometrica 45(3), 1977",
            "https://doi.org/10.2307/1911681",
        ),
        Paper(
            "llull",
            "Hägele & Pukelsheim 2001",
            "G. Hägele, F. Pukelsheim",
            "Llull's writings on electoral systems",
            "Studia Lulliana 41, 2001 (Ramon Llull, De arte eleccionis, 1299)",
        ),
        Paper(
            "black",
            "Black 1958",
            "D. Black",
            "The Theory of Committees and Elections",
            "Cambridge University Press, 1958",
        ),
        Paper(
            "simpson",
            "Simpson 1969",
            "P. B. Simpson",
            "On defining areas of voter choice: Professor Tullock on stable voting",
            "Quarterly Journal of Economics 83(3), 1969",
        ),
        Paper(
            "kramer",
            "Kramer 1977",
            "G. H. Kramer",
            "A dynamical model of political equilibrium",
            "Journal of Economic Theory 16(2), 1977",
        ),
        Paper(
            "schulze",
            "Schulze 2011",
            "M. Schulze",
            "A new monotonic, clone-independent, reversal symmetric, and "
            "Condorcet-consistent single-winner election method",
            "Social Choice and Welfare 36, 2011",
            "https://doi.org/10.1007/s00355-010-0475-4",
        ),
        Paper(
            "tideman",
            "Tideman 1987",
            "T. N. Tideman",
            "Independence of clones as a criterion for voting rules",
            "Social Choice and Welfare 4, 1987",
            "https://doi.org/10.1007/BF00433944",
        ),
        Paper(
            "brill_fischer",
            "Brill & Fischer 2012",
            "M. Brill, F. Fischer",
            "The price of neutrality for the ranked pairs method",
            "AAAI 2012",
        ),
        Paper(
            "split_cycle",
            "Holliday & Pacuit 2023a",
            "W. H. Holliday, E. Pacuit",
            "Split Cycle: a new Condorcet-consistent voting method independent of clones and immune to spoilers",
            "Public Choice 197, 2023",
            "https://arxiv.org/abs/2004.02350",
        ),
        Paper(
            "stable_voting",
            "Holliday & Pacuit 2023b",
            "W. H. Holliday, E. Pacuit",
            "Stable Voting",
            "Constitutional Political Economy 34, 2023",
            "https://arxiv.org/abs/2108.00542",
        ),
        Paper("kemeny", "Kemeny 1959", "J. G. Kemeny", "Mathematics without numbers", "Daedalus 88(4), 1959"),
        Paper(
            "young_levenglick",
            "Young & Levenglick 1978",
            "H. P. Young, A. Levenglick",
            "A consistent extension of Condorcet's election principle",
            "SIAM Journal on Applied Mathematics 35(2), 1978",
            "https://doi.org/10.1137/0135023",
        ),
        Paper(
            "slater",
            "Slater 1961",
            "P. Slater",
            "Inconsistencies in a schedule of paired comparisons",
            "Biometrika 48(3/4), 1961",
        ),
        Paper(
            "dodgson",
            "Dodgson 1876",
            "C. L. Dodgson",
            "A method of taking votes on more than two issues",
            "Clarendon Press, Oxford, 1876",
        ),
        Paper(
            "bartholdi",
            "Bartholdi, Tovey & Trick 1989",
            "J. Bartholdi III, C. A. Tovey, M. A. Trick",
            "Voting schemes for which it can be difficult to tell who won the election",
            "Social Choice and Welfare 6, 1989",
            "https://doi.org/10.1007/BF00303169",
        ),
        Paper(
            "young",
            "Young 1977",
            "H. P. Young",
            "Extending Condorcet's rule",
            "Journal of Economic Theory 16(2), 1977",
            "https://doi.org/10.1016/0022-0531(77)90012-6",
        ),
        Paper(
            "smith",
            "Smith 1973",
            "J. H. Smith",
            "Aggregation of preferences with variable electorate",
            "Econometrica 41(6), 1973",
            "https://doi.org/10.2307/1914033",
        ),
        Paper(
            "schwartz",
            "Schwartz 1986",
            "T. Schwartz",
            "The Logic of Collective Choice",
            "Columbia University Press, New York, 1986",
        ),
        Paper(
            "gillies",
            "Gillies 1959",
            "D. B. Gillies",
            "Solutions to general non-zero-sum games",
            "Contributions to the Theory of Games IV (Annals of Mathematics Studies 40), 1959",
        ),
        Paper(
            "miller",
            "Miller 1980",
            "N. R. Miller",
            "A new solution set for tournaments and majority voting",
            "American Journal of Political Science 24(1), 1980",
            "https://doi.org/10.2307/2110925",
        ),
        Paper(
            "fishburn77",
            "Fishburn 1977",
            "P. C. Fishburn",
            "Condorcet social choice functions",
            "SIAM Journal on Applied Mathematics 33(3), 1977",
            "https://doi.org/10.1137/0133030",
        ),
        Paper(
            "bordes",
            "Bordes 1983",
            "G. Bordes",
            "On the possibility of reasonable consistent majoritarian choice: some positive results",
            "Journal of Economic Theory 31(1), 1983",
        ),
        Paper(
            "mckelvey",
            "McKelvey 1986",
            "R. D. McKelvey",
            "Covering, dominance, and institution-free properties of social choice",
            "American Journal of Political Science 30(2), 1986",
            "https://doi.org/10.2307/2111098",
        ),
        Paper(
            "duggan",
            "Duggan 2013",
            "J. Duggan",
            "Uncovered sets",
            "Social Choice and Welfare 41, 2013",
            "https://doi.org/10.1007/s00355-012-0696-9",
        ),
        Paper(
            "banks",
            "Banks 1985",
            "J. S. Banks",
            "Sophisticated voting outcomes and agenda control",
            "Social Choice and Welfare 1, 1985",
            "https://doi.org/10.1007/BF00649265",
        ),
        Paper(
            "bipartisan",
            "Laffond, Laslier & Le Breton 1993",
            "G. Laffond, J.-F. Laslier, M. Le Breton",
            "The bipartisan set of a tournament game",
            "Games and Economic Behavior 5(1), 1993",
            "https://doi.org/10.1006/game.1993.1010",
        ),
        Paper(
            "essential",
            "Dutta & Laslier 1999",
            "B. Dutta, J.-F. Laslier",
            "Comparison functions and choice correspondences",
            "Social Choice and Welfare 16, 1999",
            "https://doi.org/10.1007/s003550050158",
        ),
        Paper(
            "probabilistic_borda",
            "Heckelman 2003",
            "J. C. Heckelman",
            "Probabilistic Borda rule voting",
            "Social Choice and Welfare 21, 2003",
        ),
        Paper(
            "handbook",
            "Brandt et al. 2016",
            "F. Brandt, V. Conitzer, U. Endriss, J. Lang, A. D. Procaccia (eds.)",
            "Handbook of Computational Social Choice",
            "Cambridge University Press, 2016",
            "https://doi.org/10.1017/CBO9781107446984",
        ),
        Paper(
            "rolling_dice",
            "Brandt 2017",
            "F. Brandt",
            "Rolling the dice: Recent results in probabilistic social choice",
            "Trends in Computational Social Choice, 2017",
        ),
        # scoring and elimination rules (issue 14)
        Paper(
            "young_scoring",
            "Young 1975",
            "H. P. Young",
            "Social choice scoring functions",
            "SIAM Journal on Applied Mathematics 28(4), 824-838, 1975",
            "https://doi.org/10.1137/0128067",
        ),
        Paper(
            "fraenkel_grofman",
            "Fraenkel & Grofman 2014",
            "J. Fraenkel, B. Grofman",
            "The Borda Count and its real-world alternatives: Comparing scoring rules in Nauru and Slovenia",
            "Australian Journal of Political Science 49(2), 186-205, 2014",
        ),
        Paper(
            "hoag_hallett",
            "Hoag & Hallett 1926",
            "C. G. Hoag, G. H. Hallett",
            "Proportional Representation",
            "Macmillan, New York, 1926 (Bucklin's Grand Junction system)",
        ),
        Paper(
            "erdelyi_bucklin",
            "Erdélyi et al. 2015",
            "G. Erdélyi, M. R. Fellows, J. Rothe, L. Schend",
            "Control complexity in Bucklin and fallback voting: A theoretical analysis",
            "Journal of Computer and System Sciences 81(4), 632-660, 2015",
        ),
        Paper(
            "hare",
            "Hare 1859",
            "T. Hare",
            "A Treatise on the Election of Representatives, Parliamentary and Municipal",
            "Longman, London, 1859",
        ),
        Paper(
            "put",
            "Conitzer, Rognlie & Xia 2009",
            "V. Conitzer, M. Rognlie, L. Xia",
            "Preference functions that score rankings and maximum likelihood estimation (parallel-universes tie-breaking)",
            "IJCAI 2009",
        ),
        Paper(
            "fishburn_brams",
            "Fishburn & Brams 1983",
            "P. C. Fishburn, S. J. Brams",
            "Paradoxes of preferential voting",
            "Mathematics Magazine 56(4), 207-214, 1983",
            "https://www.jstor.org/stable/2689808",
        ),
        Paper("coombs", "Coombs 1964", "C. H. Coombs", "A Theory of Data", "Wiley, New York, 1964"),
        Paper(
            "nanson",
            "Nanson 1882",
            "E. J. Nanson",
            "Methods of election",
            "Transactions and Proceedings of the Royal Society of Victoria 19, 197-240, 1882",
        ),
        Paper(
            "baldwin",
            "Baldwin 1926",
            "J. M. Baldwin",
            "The technique of the Nanson preferential majority system of election",
            "Proceedings of the Royal Society of Victoria 39, 42-52, 1926",
        ),
        Paper("niou", "Niou 1987", "E. M. S. Niou", "A note on Nanson's rule", "Public Choice 54(2), 191-193, 1987"),
        Paper(
            "green_armytage",
            "Green-Armytage 2011",
            "J. Green-Armytage",
            "Four Condorcet-Hare hybrid methods for single-winner elections",
            "Voting Matters 29, 1-14, 2011",
        ),
        Paper(
            "tideman_2006",
            "Tideman 2006",
            "N. Tideman",
            "Collective Decisions and Voting: The Potential for Public Choice",
            "Ashgate, Aldershot, 2006",
        ),
        # properties (issue 14)
        Paper(
            "condorcet",
            "Condorcet 1785",
            "M. J. A. N. de Caritat, marquis de Condorcet",
            "Essai sur l'application de l'analyse à la probabilité des décisions rendues à la pluralité des voix",
            "Imprimerie Royale, Paris, 1785",
        ),
        Paper(
            "felsenthal",
            "Felsenthal 2011",
            "D. S. Felsenthal",
            "Review of paradoxes afflicting procedures for electing a single candidate",
            "Electoral Systems: Paradoxes, Assumptions, and Procedures, Springer, 2011, pp. 19-91",
            "https://doi.org/10.1007/978-3-642-20441-8_3",
        ),
        Paper(
            "gibbard_1973",
            "Gibbard 1973",
            "A. Gibbard",
            "Manipulation of voting schemes: a general result",
            "Econometrica 41(4), 1973",
            "https://doi.org/10.2307/1914083",
        ),
        Paper(
            "satterthwaite",
            "Satterthwaite 1975",
            "M. A. Satterthwaite",
            "Strategy-proofness and Arrow's conditions: existence and correspondence theorems for voting procedures "
            "and social welfare functions",
            "Journal of Economic Theory 10(2), 1975",
            "https://doi.org/10.1016/0022-0531(75)90050-2",
        ),
        Paper(
            "may",
            "May 1952",
            "K. O. May",
            "A set of independent necessary and sufficient conditions for simple majority decision",
            "Econometrica 20(4), 1952",
            "https://doi.org/10.2307/1907651",
        ),
        Paper(
            "woodall",
            "Woodall 1997",
            "D. R. Woodall",
            "Monotonicity of single-seat preferential election rules",
            "Discrete Applied Mathematics 77(1), 1997",
            "https://doi.org/10.1016/S0166-218X(96)00100-X",
        ),
        Paper(
            "moulin",
            "Moulin 1988",
            "H. Moulin",
            "Condorcet's principle implies the no show paradox",
            "Journal of Economic Theory 45(1), 1988",
            "https://doi.org/10.1016/0022-0531(88)90253-0",
        ),
        Paper(
            "brandl_brandt",
            "Brandl & Brandt 2020",
            "F. Brandl, F. Brandt",
            "Arrovian aggregation of convex preferences",
            "Econometrica 88(2), 2020",
            "https://doi.org/10.3982/ECTA17020",
        ),
        Paper(
            "participation",
            "Brandl, Brandt & Hofbauer 2019",
            "F. Brandl, F. Brandt, J. Hofbauer",
            "Welfare maximization entices participation",
            "Games and Economic Behavior 114, 2019",
            "https://doi.org/10.1016/j.geb.2019.01.008",
        ),
    ]
}


def paper(key: str) -> Paper:
    """The paper with this key; :class:`AggregationError` naming the known keys otherwise."""
    try:
        return PAPERS[key]
    except (KeyError, TypeError):
        raise AggregationError(f"unknown paper {key!r} (known: {', '.join(PAPERS)})") from None


@dataclass(frozen=True)
class Reference:
    """A place in a paper: its key in :data:`PAPERS` and where (``"Theorem 4.3"``, ``"section 3.1"``;
    "" for the paper as a whole). ``str()`` reads "Cai & Zheng 2026, Theorem 4.3"."""

    paper: str
    where: str = ""

    def __post_init__(self):
        paper(self.paper)  # an unknown key is refused here, when the reference is written

    @property
    def entry(self) -> Paper:
        return PAPERS[self.paper]

    def __str__(self) -> str:
        short = self.entry.short
        return f"{short}, {self.where}" if self.where else short


def cite(references) -> str:
    """References in running text, separated by semicolons."""
    return "; ".join(str(r) for r in references)
