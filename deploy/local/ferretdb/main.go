// Command ferretdb runs FerretDB v1 on loopback for the local stack: with its
// PostgreSQL backend when -postgresql-url is given (what the stack does), else SQLite. The upstream cmd/ferretdb panics when built from the module
// proxy (its version file is missing from the module zip), so the project
// embeds the public ferretdb package instead.
package main

import (
	"context"
	"flag"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on")
	dataDir := flag.String("data", "data", "directory for the SQLite databases")
	pgURL := flag.String("postgresql-url", "", "PostgreSQL connection string; selects the postgresql handler")
	flag.Parse()

	if err := os.MkdirAll(*dataDir, 0o755); err != nil {
		log.Fatalf("create data dir: %v", err)
	}

	logger := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))

	config := &ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + *dataDir + "/",
	}
	if *pgURL != "" {
		config.Handler = "postgresql"
		config.PostgreSQLURL = *pgURL
	}
	f, err := ferretdb.New(config)
	if err != nil {
		log.Fatalf("configure ferretdb: %v", err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	log.Printf("ferretdb (%s) listening on %s", config.Handler, *listen)
	if err := f.Run(ctx); err != nil && ctx.Err() == nil {
		log.Fatalf("ferretdb stopped: %v", err)
	}
}
