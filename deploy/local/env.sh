# Ports and credentials of the local stack. Sourced by stack.sh, the Makefile's
# targets and the test fixtures; anything already set in the environment wins.
# LSG_PORT_OFFSET shifts every port, so two checkouts can each run a stack side by side.
# No two bases differ by a multiple of 400 (the offsets checkouts are given), or one
# checkout's port would be another's (Sockudo's once landed on goal-service's). Every base
# plus the largest offset (2800) stays below 32768, Linux's ephemeral range: an outgoing
# connection never takes a port a component is about to bind.
: "${LSG_PORT_OFFSET:=0}"
: "${KAFKA_PORT:=$((26092 + LSG_PORT_OFFSET))}"
: "${KAFKA_CONTROLLER_PORT:=$((26093 + LSG_PORT_OFFSET))}"
: "${FERRETDB_PORT:=$((24017 + LSG_PORT_OFFSET))}"
: "${POSTGRES_PORT:=$((22432 + LSG_PORT_OFFSET))}"
: "${SOCKUDO_PORT:=$((23051 + LSG_PORT_OFFSET))}"
: "${SOCKUDO_METRICS_PORT:=$((23951 + LSG_PORT_OFFSET))}"
: "${WALLET_SANDBOX_PORT:=$((25005 + LSG_PORT_OFFSET))}"
# The local gateway (nginx: the live page, the four APIs, the Pusher socket) and its dev login.
: "${GATEWAY_PORT:=$((22480 + LSG_PORT_OFFSET))}"
: "${DEV_LOGIN_PORT:=$((22481 + LSG_PORT_OFFSET))}"
# The local trace receiver (deploy/local/traces): every service exports its spans there.
: "${TRACES_PORT:=$((22418 + LSG_PORT_OFFSET))}"
# `make images` runs each image on the host network at the nine ports from this one (from
# xx405: none of the nine is another base plus a multiple of 400).
: "${IMAGE_CHECK_PORT:=$((22405 + LSG_PORT_OFFSET))}"
: "${PUSHER_APP_ID:=1001}"
: "${PUSHER_KEY:=local-key}"
: "${PUSHER_SECRET:=local-secret-change-me}"
: "${JWT_SECRET:=dev-only-jwt-secret-change-me-32bytes!}"
: "${WALLET_CALLBACK_SECRET:=dev-only-wallet-callback-secret}"
: "${KAFKA_BOOTSTRAP_SERVERS:=127.0.0.1:$KAFKA_PORT}"
: "${MONGODB_URI:=mongodb://127.0.0.1:$FERRETDB_PORT/}"
: "${PUSHER_HOST:=127.0.0.1}"
: "${PUSHER_PORT:=$SOCKUDO_PORT}"
export LSG_PORT_OFFSET KAFKA_PORT KAFKA_CONTROLLER_PORT FERRETDB_PORT POSTGRES_PORT SOCKUDO_PORT SOCKUDO_METRICS_PORT \
  WALLET_SANDBOX_PORT GATEWAY_PORT DEV_LOGIN_PORT TRACES_PORT IMAGE_CHECK_PORT PUSHER_APP_ID PUSHER_KEY PUSHER_SECRET \
  JWT_SECRET WALLET_CALLBACK_SECRET KAFKA_BOOTSTRAP_SERVERS MONGODB_URI PUSHER_HOST PUSHER_PORT

# API port 2500N, worker web port 2510N, their /metrics ports 2520N and 2530N; the k-th
# worker of a service (LSG_WORKERS) adds 10*(k-1) to its worker ports (plus LSG_PORT_OFFSET).
service_port() { # service api|worker|api-metrics|worker-metrics|worker-K|worker-K-metrics
  local n base k=1
  case "$1" in
    goal-service) n=1 ;; session-service) n=2 ;; wallet-adapter) n=3 ;; notifier) n=4 ;;
    *) return 1 ;;
  esac
  local kind="$2"
  if [[ $kind =~ ^worker-([0-9]+)(-metrics)?$ ]]; then k="${BASH_REMATCH[1]}"; kind="worker${BASH_REMATCH[2]}"; fi
  case "$kind" in
    api) base=25000 ;; worker) base=25100 ;; api-metrics) base=25200 ;; worker-metrics) base=25300 ;;
    *) return 1 ;;
  esac
  echo $((base + 10 * (k - 1) + n + LSG_PORT_OFFSET))
}
# The journeys' fixtures find the APIs through these.
: "${GOAL_SERVICE_PORT:=$(service_port goal-service api)}"
: "${SESSION_SERVICE_PORT:=$(service_port session-service api)}"
: "${WALLET_ADAPTER_PORT:=$(service_port wallet-adapter api)}"
: "${NOTIFIER_PORT:=$(service_port notifier api)}"
export GOAL_SERVICE_PORT SESSION_SERVICE_PORT WALLET_ADAPTER_PORT NOTIFIER_PORT

service_env() { # name -> KEY=VALUE lines for that process
  local svc="${1%.*}"
  echo "SERVICE_NAME=$svc"
  if [[ $1 == wallet-sandbox ]]; then
    echo "HTTP_PORT=$WALLET_SANDBOX_PORT"
    echo "WALLET_CALLBACK_URL=http://127.0.0.1:$(service_port wallet-adapter api)/notify/wallet/transaction"
    return
  fi
  if [[ $1 == dev-login ]]; then
    echo "HTTP_PORT=$DEV_LOGIN_PORT"
    echo "WALLET_SANDBOX_URL=http://127.0.0.1:$WALLET_SANDBOX_PORT"
    echo "WALLET_ADAPTER_URL=http://127.0.0.1:$(service_port wallet-adapter api)"
    return
  fi
  echo "HTTP_PORT=$(service_port "$svc" api)"
  local kind="${1##*.}"; [[ $kind == worker* ]] || kind=worker
  echo "WORKER_WEB_PORT=$(service_port "$svc" "$kind")"
  echo "METRICS_PORT=$(service_port "$svc" "${1#*.}-metrics")"
  echo "WALLET_API_URL=http://127.0.0.1:$WALLET_SANDBOX_PORT"
  echo "WALLET_ADAPTER_URL=http://127.0.0.1:$(service_port wallet-adapter api)"
  echo "SESSION_SERVICE_URL=http://127.0.0.1:$(service_port session-service api)"
  echo "GOAL_SERVICE_URL=http://127.0.0.1:$(service_port goal-service api)"
  echo "OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:$TRACES_PORT"
  # Short on the local stack so the demonstration and the journeys see a cooldown pass.
  [[ $svc == session-service ]] && echo "EXCLUSIVE_COOLDOWN_S=${LOCAL_EXCLUSIVE_COOLDOWN_S:-8}"
  # Short show deadline, settle window and reconciliation grace, so the demonstration and
  # the journeys see a missed start and a repaired refund within seconds.
  if [[ $svc == goal-service ]]; then
    echo "SHOW_START_DEADLINE_S=${LOCAL_SHOW_START_DEADLINE_S:-15}"
    echo "FUNDING_SETTLE_WINDOW_S=${LOCAL_FUNDING_SETTLE_WINDOW_S:-1}"
    echo "FUNDING_SETTLE_LONGEST_S=${LOCAL_FUNDING_SETTLE_LONGEST_S:-20}"
    echo "ESCROW_SWEEP_INTERVAL_S=${LOCAL_ESCROW_SWEEP_INTERVAL_S:-3}"
    echo "ESCROW_SWEEP_LEASE_S=${LOCAL_ESCROW_SWEEP_LEASE_S:-10}"
    echo "ESCROW_SETTLE_GRACE_S=${LOCAL_ESCROW_SETTLE_GRACE_S:-15}"
    echo "ESCROW_ORPHAN_GRACE_S=${LOCAL_ESCROW_ORPHAN_GRACE_S:-60}"
  fi
  true
}

sockudo_env() { # KEY=VALUE lines that configure Sockudo (native, or in a container on the host network)
  printf '%s\n' HOST=127.0.0.1 "PORT=$SOCKUDO_PORT" METRICS_HOST=127.0.0.1 \
    "METRICS_PORT=$SOCKUDO_METRICS_PORT" ADAPTER_DRIVER=local CACHE_DRIVER=memory \
    QUEUE_DRIVER=memory APP_MANAGER_DRIVER=memory RATE_LIMITER_DRIVER=memory LOG_OUTPUT_FORMAT=json \
    "SOCKUDO_DEFAULT_APP_ID=$PUSHER_APP_ID" "SOCKUDO_DEFAULT_APP_KEY=$PUSHER_KEY" \
    "SOCKUDO_DEFAULT_APP_SECRET=$PUSHER_SECRET" SOCKUDO_DEFAULT_APP_ENABLED=true \
    SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES=false SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS=10000 \
    SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND=100000 \
    SOCKUDO_DEFAULT_APP_MAX_READ_REQUESTS_PER_SECOND=100000 \
    SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND=1000 \
    RATE_LIMITER_API_MAX_REQUESTS=100000 RATE_LIMITER_WS_MAX_REQUESTS=10000
  # (The last two: Sockudo's default rate limits, 100 API calls and 20 new sockets a minute per
  # address, would turn the notifier's publishes into 429s: everything here shares 127.0.0.1.)
}
