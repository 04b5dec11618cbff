package call

// Query keys of the envelope's own, which the edge adds to a Call's
// Query beside Docker's: they are no part of the Docker API, and a
// client's query never reaches a function with them.
const (
	// QueryCursor hands a polling stream's Stream.Cursor back to the
	// function on the next call (wait, logs, events, build).
	QueryCursor = "cursor"
	// QueryCancel, with QueryCursor on OpBuild, says the client left: the
	// function stops the build.
	QueryCancel = "cancel"
	// QueryForceDriver ("1") on OpContainerKill says no agent answers:
	// the function stops the workload through its compute driver.
	QueryForceDriver = "force-driver"
)
