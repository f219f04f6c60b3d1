package main

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the server's Prometheus collectors, on a registry of their own
// (not the client library's global one), exposed at GET /metrics.
//
// Labels never carry a number, a holder or anything else from a card: an
// outcome, a rule id, a reload result, a route pattern (the pattern, never the
// path, which holds the msisdn), a method and a status code.
type metrics struct {
	reg *prometheus.Registry

	decisions      *prometheus.CounterVec   // outcome
	ruleHits       *prometheus.CounterVec   // rule
	ruleErrors     *prometheus.CounterVec   // rule
	reloads        *prometheus.CounterVec   // result
	shadowDiffs    prometheus.Counter       // decisions the shadow pack decided otherwise
	shadowFailures prometheus.Counter       // cards the shadow pack failed on
	shadowReloads  *prometheus.CounterVec   // result
	logFailures    prometheus.Counter       // decision-log writes that failed
	scoreSeconds   prometheus.Histogram     // one card's scoring, in the library
	requests       *prometheus.HistogramVec // route, method, code
	rejects        prometheus.Counter       // records refused (card-schema)
	rulesLoadedAt  prometheus.Gauge         // unix seconds of the last successful load

	all []prometheus.Collector // everything registered, in registration order
}

// newMetrics registers the collectors; cards reads the population's size at
// each scrape.
func newMetrics(cards func() int) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simrisk_decisions_total",
			Help: "Decisions made by the live rule pack, by outcome (pass, monitor, verify, restrict, suspend).",
		}, []string{"outcome"}),
		ruleHits: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simrisk_rule_hits_total",
			Help: "Rules that fired in decisions of the live rule pack, by rule id.",
		}, []string{"rule"}),
		ruleErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simrisk_rule_errors_total",
			Help: "Rules that failed on a card (the other rules still decided), by rule id.",
		}, []string{"rule"}),
		reloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simrisk_reloads_total",
			Help: "Rule reloads (start, POST /-/reload, SIGHUP), by result: ok (swapped in) or failed (the old pack kept serving).",
		}, []string{"result"}),
		shadowDiffs: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "simrisk_shadow_differences_total",
			Help: "Cards the shadow pack decided differently (outcome, score or rules fired) from the live pack.",
		}),
		shadowFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "simrisk_shadow_failures_total",
			Help: "Cards the shadow pack failed on (its scoring returned an error or panicked, or one of its rules failed on the card); the live answer is unchanged.",
		}),
		shadowReloads: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "simrisk_shadow_reloads_total",
			Help: "Reloads of the shadow pack (--shadow), by result: ok or failed (the last good shadow pack kept scoring).",
		}, []string{"result"}),
		logFailures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "simrisk_decision_log_failures_total",
			Help: "Decisions the decision log (--decision-log) could not write.",
		}),
		scoreSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "simrisk_score_duration_seconds",
			Help:    "Time to store and score one card with the live pack (and the shadow pack, when there is one), in the library, without HTTP.",
			Buckets: []float64{1e-6, 2.5e-6, 5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 1e-3, 1e-2},
		}),
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "simrisk_request_duration_seconds",
			Help:    "HTTP requests by route pattern, method and status code, from the request's arrival to the end of its answer.",
			Buckets: []float64{5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2, 2.5e-2, 0.1, 0.5, 1, 5, 30},
		}, []string{"route", "method", "code"}),
		rejects: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "simrisk_rejected_records_total",
			Help: "Card records refused (card-schema v1 or the card base), in any endpoint.",
		}),
		rulesLoadedAt: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "simrisk_rules_loaded_timestamp_seconds",
			Help: "When the live rule pack was loaded, in Unix seconds.",
		}),
	}
	m.all = append(m.all, m.decisions, m.ruleHits, m.ruleErrors, m.reloads, m.shadowDiffs, m.shadowFailures, m.shadowReloads, m.logFailures,
		m.scoreSeconds, m.requests, m.rejects, m.rulesLoadedAt,
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "simrisk_population_cards",
			Help: "Cards in the live card base.",
		}, func() float64 { return float64(cards()) }),
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	m.reg.MustRegister(m.all...)
	// Both reload results exist from the start, so a rate() over them works
	// before the first failure.
	m.reloads.WithLabelValues("ok")
	m.reloads.WithLabelValues("failed")
	return m
}

// handler serves the registry in the exposition format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// observeRequest records one request. route is the ServeMux pattern that
// matched ("" for none: "unmatched").
func (m *metrics) observeRequest(route, method string, code int, took time.Duration) {
	if route == "" {
		route = "unmatched"
	}
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodDelete:
	default:
		method = "other" // a client's invented method must not grow the label set
	}
	m.requests.WithLabelValues(route, method, strconv.Itoa(code)).Observe(took.Seconds())
}
