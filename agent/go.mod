module github.com/sockerless/sockerless/agent

go 1.26.8

require (
	github.com/coder/websocket v1.8.15 // indirect
	github.com/creack/pty v1.1.24 // indirect
	github.com/moby/moby/api v1.56.1 // indirect
)
