"""A dataset's :class:`~agentgraph.tables.Reading` on its Dataset node.

The reading is kept as its JSON text (:func:`~agentgraph.stores.base.reading_to_json`)
in the list property ``reading`` of the Dataset node, cut into parts that each fit
one query on servers with a query budget (the FalkorDB stand-in pastes parameters
into a 4,096-byte buffer: :func:`reading_parts`). A load or append writes the parts
to ``pending_reading`` after its rows (:func:`write_reading`); its last statement
(:data:`~agentgraph.stores.neo4j.cypher.FINISH_LOAD`,
:data:`~agentgraph.stores.neo4j.cypher.FINISH_APPEND`) moves them to ``reading``
together with the row count, so readers see the rows and the reading change at once,
and a resumed load writes them again. :func:`read_reading` fetches one part per
record (the stand-in hangs on records over 64 KB). Loads written before readings
were kept have no ``reading``: they read back with ``reading=None``.

Examples
--------
>>> from agentgraph.stores.neo4j.codec import TextCodec
>>> from agentgraph.stores.neo4j.readings import reading_parts
>>> reading_parts("x'" * 5, TextCodec(escape=True), room=12)
['<x%27x%27x>', '<%27x%27x>', '<%27>']
"""

from __future__ import annotations

from agentgraph.errors import StoreError
from agentgraph.stores.base import reading_from_json, reading_to_json
from agentgraph.stores.neo4j.codec import TextCodec, query_size
from agentgraph.stores.neo4j.connection import BoltConnection
from agentgraph.stores.neo4j.cypher import ADD_READING, CLEAR_READING, READ_READING, SET_READING
from agentgraph.stores.neo4j.datasets import DatasetNode
from agentgraph.tables import Reading

__all__ = ["reading_parts", "write_reading", "read_reading"]


def reading_parts(text: str, codec: TextCodec, *, room: int | None) -> list[str]:
    """``text`` cut into encoded parts of at most ``room`` bytes each.

    Parameters
    ----------
    text : str
        The reading's JSON text.
    codec : TextCodec
        How the connection stores strings (each part is encoded on its own, so it
        decodes on its own).
    room : int or None
        Bytes (UTF-8, encoded) one part may take; ``None``: no limit, one part.

    Returns
    -------
    list of str
        The encoded parts; decoded and joined they give ``text``.

    Raises
    ------
    StoreError
        ``room`` cannot hold even one encoded character.

    Notes
    -----
    O(len(text)): each part is encoded once, again with a shorter slice only when
    it came out too long (escapes and multi-byte characters).

    Examples
    --------
    >>> codec = TextCodec(escape=False)
    >>> reading_parts("传销abc", codec, room=7)
    ['传销a', 'bc']
    >>> reading_parts("abc", codec, room=None)
    ['abc']
    """
    if room is None:
        return [codec.encode(text)]
    parts: list[str] = []
    i = 0
    while i < len(text) or not parts:
        n = min(len(text) - i, room)
        while True:
            part = codec.encode(text[i : i + n])
            size = len(part.encode())
            if size <= room:
                break
            if n <= 1:
                raise StoreError(
                    f"the query budget leaves {room} bytes for the dataset's reading: "
                    "raise max_query_bytes"
                )
            n = max(1, min(n - 1, n * room // size))
        parts.append(part)
        i += n
    return parts


def write_reading(bolt: BoltConnection, node: DatasetNode, reading: Reading | None) -> None:
    """Write ``reading`` as the pending reading of the load ``node``.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    node : DatasetNode
        The load or append about to finish (its name and load id).
    reading : Reading or None
        What the dataset's reading becomes when it finishes (``None``: none).

    Raises
    ------
    StoreError
        The server failed, or the query budget is too small for any part.

    Notes
    -----
    One query per part (one part without a query budget); the part size is what
    ``max_query_bytes`` leaves after the query and the other parameters.

    Examples
    --------
    >>> write_reading(bolt, node, rel.reading)  # doctest: +SKIP
    """
    fixed = {"name": bolt.codec.encode(node.name), "load": node.load}
    text = reading_to_json(reading)
    if text is None:
        bolt.query("clear reading", CLEAR_READING, **fixed)
        return
    limit = bolt.max_query_bytes
    room = None
    if limit:
        room = limit - max(
            query_size(q, fixed | {"parts": [""]}) for q in (SET_READING, ADD_READING)
        )
    for k, part in enumerate(reading_parts(text, bolt.codec, room=room)):
        bolt.query("write reading", ADD_READING if k else SET_READING, **fixed, parts=[part])


def read_reading(bolt: BoltConnection, node: DatasetNode) -> Reading | None:
    """The reading kept on a readable load, or ``None``.

    Parameters
    ----------
    bolt : BoltConnection
        The server.
    node : DatasetNode
        The load (:func:`~agentgraph.stores.neo4j.datasets.current_node`).

    Returns
    -------
    Reading or None
        ``None`` when the load has none (``reading_parts == 0``).

    Raises
    ------
    StoreError
        The server failed, or the parts do not give a stored reading back.

    Notes
    -----
    One query, one record per part; none when there is no reading.

    Examples
    --------
    >>> read_reading(bolt, current_node(bolt, "shop")).source  # doctest: +SKIP
    'eb_user.csv'
    """
    if not node.reading_parts:
        return None
    recs = bolt.query(
        f"read the reading of {node.name!r}",
        READ_READING,
        name=bolt.codec.encode(node.name),
        load=node.load,
    )
    recs.sort(key=lambda r: r["k"])
    text = "".join(bolt.codec.decode(r["part"]) or "" for r in recs)
    return reading_from_json(text, where=f"dataset {node.name!r} in {bolt.url}")
