"""The Neo4j store over Bolt (``pip install 'agentgraph[neo4j]'``).

:class:`~agentgraph.stores.neo4j.store.Neo4jStore` (:mod:`agentgraph.stores.neo4j.store`)
wires together, by concern:

- :mod:`~agentgraph.stores.neo4j.connection`: the driver, errors and credentials
  (the only module here that imports the driver);
- :mod:`~agentgraph.stores.neo4j.cypher`: the Cypher statements;
- :mod:`~agentgraph.stores.neo4j.codec`: the value codec (storable values, JSON
  extras, the schema as text) and the Bolt stand-in's quirks (percent-escaped
  strings, query sizes);
- :mod:`~agentgraph.stores.neo4j.datasets`: the Dataset nodes, one per load;
- :mod:`~agentgraph.stores.neo4j.batches`: the parameter maps and statements of
  one write batch;
- :mod:`~agentgraph.stores.neo4j.load`: the batched, resumable load and append;
- :mod:`~agentgraph.stores.neo4j.queries`: reads and the single-agent queries.

The ``neo4j-admin database import`` CSV layout
(:mod:`~agentgraph.stores.neo4j.admin_csv`), the codec and the Cypher text need no
driver.

Examples
--------
>>> from agentgraph.stores.neo4j.cypher import ROW_TYPES
>>> ROW_TYPES["edges"]
('RECRUITED', 'SUPPLIES')
"""
