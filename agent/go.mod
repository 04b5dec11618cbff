module github.com/sockerless/sockerless/agent

go 1.26.8

require (
	github.com/coder/websocket v1.8.15
	github.com/creack/pty v1.1.24
	github.com/ulikunitz/xz v0.5.15
)
