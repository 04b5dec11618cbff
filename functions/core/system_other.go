//go:build !linux

package core

// Outside Linux the host's kernel and memory are not what a workload
// runs on, and Info shows them as unknown, as it does on Linux when the
// kernel will not say.

func kernelVersion() string { return "unknown" }

func memTotal() int64 { return 0 }
