#!/usr/bin/env bash
# One KRaft broker+controller in the foreground: the native stack (stack.sh) and the Kafka
# image (deploy/containers/kafka.Dockerfile) both start Kafka with this.
#   run.sh LIBS CONF_DIR DATA_DIR PORT CONTROLLER_PORT
# Fills server.properties' @...@ into CONF_DIR, formats DATA_DIR once, then execs the broker.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
libs="$1" conf="$2" data="$3" port="$4" controller_port="$5"
mkdir -p "$conf" "$data"
sed -e "s|@PORT@|$port|g" -e "s|@CONTROLLER_PORT@|$controller_port|g" -e "s|@DATA@|$data|g" \
  "$HERE/server.properties" >"$conf/server.properties"
jvm=(java -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dkafka.logs.dir="$conf" -cp "$libs/*")
if [[ ! -f $data/meta.properties ]]; then
  echo "formatting Kafka storage" >&2
  "${jvm[@]}" kafka.tools.StorageTool format --ignore-formatted \
    -t "$("${jvm[@]}" kafka.tools.StorageTool random-uuid)" -c "$conf/server.properties" >/dev/null
fi
exec "${jvm[@]}" kafka.Kafka "$conf/server.properties"
