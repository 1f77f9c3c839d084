r"""An agentgraph scan as a Spark job: ``spark-submit`` runs it like any PySpark script.

    spark-submit --master yarn docs/examples/spark_job.py \
        s3a://bucket/members/ --out report.json [any other `agentgraph scan` option]

The arguments are those of ``agentgraph scan`` (``--engine spark`` is added); the scan
uses the session spark-submit made. Every executor needs the same agentgraph installed
(``pip install 'agentgraph[spark]'`` on the nodes, or a packed environment shipped
with ``--archives``; see docs/spark.md).
"""

import sys

from agentgraph.cli import app

if __name__ == "__main__":
    app(["scan", "--engine", "spark", *sys.argv[1:]])
