"""Evidence beyond depth: arrays in, arrays out, no report code.

- :mod:`agentgraph.evidence.money`: pay levels, team and head-count pay, funds;
- :mod:`agentgraph.evidence.entry_fees`: entry fees, disguised or packaged;
- :mod:`agentgraph.evidence.sales`: retail share and own sales;
- :mod:`agentgraph.evidence.identities`: accounts merged into persons.
"""
