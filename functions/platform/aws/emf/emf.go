// Package emf writes a function's figures for each call in CloudWatch's
// embedded metric format: the call's JSON log line gains an "_aws"
// member naming which of its fields are metrics and which dimensions,
// and CloudWatch Logs turns every such line in the function's log group
// into metrics, with no API call from the function.
package emf

import (
	"log/slog"
	"time"

	"github.com/sockerless/sockerless/functions/host"
)

// Namespace is the CloudWatch namespace of the functions' metrics.
const Namespace = "Sockerless"

// The line's fields the metrics are read from. op, store_reads,
// store_writes and driver_calls are host.LoggedWith's own.
const (
	FieldBackend     = "backend"
	FieldOp          = "op"
	FieldDurationMs  = "duration_ms"
	FieldErrors      = "errors"
	FieldStoreReads  = "store_reads"
	FieldStoreWrites = "store_writes"
	FieldDriverCalls = "driver_calls"
)

// Metadata is the "_aws" member of an EMF record.
type Metadata struct {
	// Timestamp is in milliseconds since the epoch.
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []Directive `json:"CloudWatchMetrics"`
}

// Directive says which fields of the record are metrics, in which
// namespace, under which sets of dimension fields.
type Directive struct {
	Namespace  string     `json:"Namespace"`
	Dimensions [][]string `json:"Dimensions"`
	Metrics    []Metric   `json:"Metrics"`
}

// Metric names a field of the record holding a metric's value.
type Metric struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

// directives are the same for every call: per backend, and per backend
// and op.
var directives = []Directive{{
	Namespace:  Namespace,
	Dimensions: [][]string{{FieldBackend}, {FieldBackend, FieldOp}},
	Metrics: []Metric{
		{FieldDurationMs, "Milliseconds"}, {FieldErrors, "Count"},
		{FieldStoreReads, "Count"}, {FieldStoreWrites, "Count"}, {FieldDriverCalls, "Count"},
	},
}}

// Metrics is host.Metrics for backend: each call's line becomes an EMF
// record (errors counts an answer of 500 or more).
func Metrics(backend string) host.Metrics {
	return func(f host.Figures) []slog.Attr {
		errors := 0
		if f.Status >= 500 {
			errors = 1
		}
		return []slog.Attr{
			slog.Any("_aws", Metadata{Timestamp: time.Now().UnixMilli(), CloudWatchMetrics: directives}),
			slog.String(FieldBackend, backend),
			slog.Float64(FieldDurationMs, float64(f.Duration.Microseconds())/1000),
			slog.Int(FieldErrors, errors),
		}
	}
}
