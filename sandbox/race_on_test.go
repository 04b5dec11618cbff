//go:build race

package sandbox

// raceEnabled: the race detector slows the interpreter tenfold, so
// timing-bound tests skip themselves.
const raceEnabled = true
