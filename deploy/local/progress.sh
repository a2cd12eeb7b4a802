# A long install step never sits silent: its output goes to a log and, every LSG_HEARTBEAT
# seconds (default 20), one line says what it is doing, for how long, and the log's latest
# line (for cargo, its N/M crate count). Sourced by stack.sh; needs a `log` function.
#
#   long_step "building Sockudo 5.2.0" "$VAR/log/install-sockudo.log" cargo install ...

# The latest progress in a log: the last line, or the last carriage-return update of a
# progress bar (cargo's `Building [===>  ] 120/410: tokio, ...`), cut to one short line.
progress_line() { # logfile
  tail -c 2000 "$1" 2>/dev/null | tr '\r' '\n' | sed -e 's/\x1b\[[0-9;]*[A-Za-z]//g' \
    -e 's/^[[:space:]]*//' | grep -v '^$' | tail -n 1 | cut -c1-110
}

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

long_step() { # what logfile command...
  local what="$1" logf="$2" started=$SECONDS next rc=0 pid
  shift 2
  mkdir -p "$(dirname "$logf")"
  log "$what (log: ${logf#"$PWD/"})"
  "$@" >"$logf" 2>&1 </dev/null &
  pid=$!
  next=$((SECONDS + ${LSG_HEARTBEAT:-20}))
  while kill -0 "$pid" 2>/dev/null; do
    sleep 1
    if ((SECONDS >= next)) && kill -0 "$pid" 2>/dev/null; then
      log "  ... $what: $(elapsed $((SECONDS - started))) so far; $(progress_line "$logf")"
      next=$((SECONDS + ${LSG_HEARTBEAT:-20}))
    fi
  done
  wait "$pid" || rc=$?
  if ((rc != 0)); then
    log "$what failed after $(elapsed $((SECONDS - started))); last lines of $logf:"
    tail -n 30 "$logf" >&2
    return "$rc"
  fi
  log "$what: done in $(elapsed $((SECONDS - started)))"
}
