// Command server is simrisk's reference host service: a live card base
// (risk.LivePopulation inside a risk/live.Service) scored over HTTP, rules
// reloaded under load (POST /-/reload, SIGHUP) with their own tests run
// first, an optional shadow pack, a masked and rotated decision log, and
// Prometheus metrics (github.com/prometheus/client_golang) at GET /metrics.
//
// It is a module of its own, so the core module never depends on an HTTP or
// metrics framework. README.md beside it lists every flag, endpoint (with
// curl examples that its tests run), error code and metric, and shows how a
// host embeds the same parts without the server.
//
//	go run . --rules ../../rules/packs/default --snapshot cards.jsonl
package main
