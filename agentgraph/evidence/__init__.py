"""Evidence beyond depth: arrays and numbers in, arrays out, no report code.

- :mod:`agentgraph.evidence.money`: pay levels, team and head-count pay, funds;
- :mod:`agentgraph.evidence.joining`: join times and the joining window;
- :mod:`agentgraph.evidence.entry_fees`: entry fees, disguised or packaged;
- :mod:`agentgraph.evidence.sales`: retail share, own sales and the pay cap;
- :mod:`agentgraph.evidence.penalties`: agents marked with a prior penalty;
- :mod:`agentgraph.evidence.identities`: accounts grouped into persons;
- :mod:`agentgraph.evidence.persons`: relations, payments and orders rewritten to persons.

The thresholds (pay cap, joining window, goods-match ratio, join-package minimums) are
arguments: the policy holds them (:mod:`agentgraph.policies.thresholds`).
"""
