package agent

// Marker is compiled into every agent binary (the version subcommand
// prints it, which keeps it from being dropped by the linker). Runtimes
// that cannot execute native binaries, such as the sandbox under the
// cloud simulators, recognise the agent by it and run the same code
// in-process instead.
const Marker = "sockerless-agent-native/1"
