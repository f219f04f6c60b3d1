package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/simrisk/simrisk/datasets"
	"github.com/simrisk/simrisk/risk/ref"
)

func main() {
	os.Exit(serve(os.Args[1:], os.Stderr, nil))
}

// serve is run until SIGTERM or SIGINT (Ctrl-C), which shut it down
// gracefully.
func serve(args []string, stderr io.Writer, ready func(addr string)) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return run(ctx, args, stderr, ready)
}

// config is the command line.
type config struct {
	rules, pack, shadow      string
	snapshot, snapshotFormat string
	encoding                 string
	listen                   string
	decisionLog              string
	decisionLogMaxBytes      int64
	decisionLogKeep          int
	idKeyFile                string
	maxBody, maxBatch        int64
	shutdownTimeout          time.Duration
	logLevel                 string
}

// paths are the file and directory paths the command line gave.
func (c *config) paths() []string {
	return []string{c.rules, c.shadow, c.snapshot, c.decisionLog, c.idKeyFile}
}

const usage = `usage: server [--rules DIR | --pack NAME] [--snapshot FILE] [--listen ADDR]
              [--shadow DIR] [--decision-log FILE] [--id-key-file FILE] [flags]

simrisk's reference host service: a live card base scored over HTTP, rules
reloaded under load (POST /-/reload, SIGHUP), Prometheus metrics at /metrics.
README.md beside this program lists every endpoint with curl examples.

flags:
`

// parseFlags reads args; a non-nil error has been printed with the usage.
func parseFlags(args []string, stderr io.Writer) (*config, error) {
	c := &config{}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage); fs.PrintDefaults() }
	fs.StringVar(&c.rules, "rules", "", "rule directory (or file) to serve and reload; or --pack")
	fs.StringVar(&c.pack, "pack", "", "embedded rule pack to serve (default \"default\" when --rules is not given)")
	fs.StringVar(&c.shadow, "shadow", "", "candidate rule directory scored beside the live pack; it never changes an answer, its differences are counted")
	fs.StringVar(&c.snapshot, "snapshot", "", "cards to load at start: JSON Lines or CSV (by extension, or --snapshot-format)")
	fs.StringVar(&c.snapshotFormat, "snapshot-format", "", "jsonl or csv (default: by the snapshot's extension)")
	fs.StringVar(&c.encoding, "encoding", "utf-8", "character encoding of the --snapshot file: utf-8, gb18030 (gbk), utf-16, utf-16le or utf-16be")
	fs.StringVar(&c.listen, "listen", "127.0.0.1:8080", "address to listen on")
	fs.StringVar(&c.decisionLog, "decision-log", "", "file to append every decision to, as JSON Lines (personal data masked), rotated by size")
	fs.Int64Var(&c.decisionLogMaxBytes, "decision-log-max-bytes", 100<<20, "rotate the decision log when it passes this many bytes")
	fs.IntVar(&c.decisionLogKeep, "decision-log-keep", 5, "rotated decision logs to keep")
	fs.StringVar(&c.idKeyFile, "id-key-file", "", "file holding the secret key that turns raw ID numbers in holder into pseudonymous keys (without it such cards are rejected)")
	fs.Int64Var(&c.maxBody, "max-body-bytes", 1<<20, "largest body of one card (POST /v1/score, PUT /v1/cards as application/json)")
	fs.Int64Var(&c.maxBatch, "max-batch-bytes", 1<<30, "largest JSON Lines body (PUT /v1/cards, POST /v1/score/batch); read as a stream")
	fs.DurationVar(&c.shutdownTimeout, "shutdown-timeout", 30*time.Second, "on SIGTERM, how long requests in flight may take to finish")
	fs.StringVar(&c.logLevel, "log-level", "info", "debug (one line per request), info, warn or error")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	bad := func(format string, a ...any) error {
		err := fmt.Errorf(format, a...)
		fmt.Fprintf(stderr, "server: %v\n", err)
		return err
	}
	switch {
	case fs.NArg() > 0:
		return nil, bad("unexpected argument %s (flags only; see --help)", ref.Quote(fs.Arg(0)))
	case c.rules != "" && c.pack != "":
		return nil, bad("--rules and --pack: give one")
	case c.maxBody <= 0 || c.maxBatch <= 0:
		return nil, bad("--max-body-bytes and --max-batch-bytes must be positive")
	case c.decisionLogMaxBytes <= 0 || c.decisionLogKeep < 0:
		return nil, bad("--decision-log-max-bytes must be positive and --decision-log-keep at least 0")
	case c.shutdownTimeout <= 0:
		return nil, bad("--shutdown-timeout must be positive")
	}
	if c.rules == "" && c.pack == "" {
		c.pack = "default"
	}
	if c.snapshotFormat != "" {
		if _, err := datasets.ParseFormat(c.snapshotFormat); err != nil {
			return nil, bad("--snapshot-format: %v", err)
		}
	}
	if _, err := datasets.ParseEncoding(c.encoding); err != nil {
		return nil, bad("--encoding: %v", err)
	}
	if _, err := logLevel(c.logLevel); err != nil {
		return nil, bad("--log-level: %v", err)
	}
	return c, nil
}

func logLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// setup builds the card base (rules, shadow, snapshot, decision log) and the
// server over it.
func setup(c *config, log *slog.Logger) (*server, *liveBase, error) {
	var readOpts []datasets.ReadOption
	if c.idKeyFile != "" {
		key, err := ref.ReadKeyFile(c.idKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--id-key-file: %w", err)
		}
		readOpts = append(readOpts, datasets.WithIDKey(key))
	}
	var cards atomic.Pointer[liveBase]
	m := newMetrics(func() int {
		if b := cards.Load(); b != nil {
			return b.Cards()
		}
		return 0
	})
	base, err := openBase(c, readOpts, m, log)
	if err != nil {
		return nil, nil, err
	}
	cards.Store(base)
	info := base.Rules()
	m.reloads.WithLabelValues("ok").Inc()
	m.rulesLoadedAt.Set(float64(info.LoadedAt.Unix()))
	return newServer(base, m, log, limits{body: c.maxBody, batch: c.maxBatch}, readOpts), base, nil
}

// run is the program: 0 after a clean shutdown (ctx done), 1 when it could
// not start or serve, 2 for a bad command line. ready, when not nil, is told
// the address once the server listens.
func run(ctx context.Context, args []string, stderr io.Writer, ready func(addr string)) int {
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return 2
	}
	level, _ := logLevel(c.logLevel)
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: level}))
	fail := func(what string, err error) int {
		// the paths given on the command line stay readable (only a run of
		// digits that is a phone or ID number in them is masked)
		log.Error(what, "error", ref.MaskTextKeepingPaths(err.Error(), c.paths()...))
		return 1
	}

	srv, base, err := setup(c, log)
	if err != nil {
		return fail("could not start", err)
	}
	defer base.Close()
	info := base.Rules()

	ln, err := net.Listen("tcp", c.listen)
	if err != nil {
		return fail("--listen", err)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	log.Info("serving", "listen", ln.Addr().String(), "name", info.Name, "version", info.Version,
		"digest", info.Digest, "cards", base.Cards())
	if ready != nil {
		ready(ln.Addr().String())
	}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	serveErr := make(chan error, 1)
	go func() { serveErr <- hs.Serve(ln) }()
	for {
		select {
		case <-hup:
			srv.doReload(ctx, "SIGHUP")
			continue
		case err := <-serveErr:
			return fail("serving", err)
		case <-ctx.Done():
		}
		break
	}

	// Graceful shutdown: /healthz says 503, no new connection is accepted,
	// requests in flight finish (up to --shutdown-timeout), then the
	// decision log is flushed and closed (deferred).
	srv.stopping.Store(true)
	log.Info("shutting down", "timeout", c.shutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), c.shutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fail("shutdown", err)
	}
	log.Info("stopped")
	return 0
}
