"""The Neo4j store over Bolt (``pip install 'agentgraph[neo4j]'``).

:mod:`agentgraph.stores.neo4j.store` holds :class:`~agentgraph.stores.neo4j.store.Neo4jStore`
and is the only module here that imports the driver; the ``neo4j-admin database
import`` CSV layout (:mod:`agentgraph.stores.neo4j.admin_csv`) needs no driver.
"""
