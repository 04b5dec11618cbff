# install-compose.sh defines install_compose for install-deps.sh: docker
# compose, pinned, built from its Go module as a docker CLI plugin into
# ${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/cli-plugins, where the client
# suite (e2e/clients) points the docker CLI. Quiet, idempotent, never fatal.

COMPOSE_VERSION=v2.40.3

install_compose() {
	local plugin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/cli-plugins"
	local plugin="$plugin_dir/docker-compose"
	local log=/tmp/install-deps-compose.log
	if [ -x "$plugin" ] && [ "$("$plugin" version --short 2>/dev/null)" = "${COMPOSE_VERSION#v}" ]; then
		log "docker compose: $plugin"
		return
	fi
	if ! command -v go >/dev/null 2>&1; then
		log "no go command: skipping docker compose; the client suite skips"
		return
	fi
	# Its main package is ./cmd (go install would name the binary cmd):
	# fetch the module outside the workspace and build a writable copy.
	local mod src
	mod=$(cd / && GOWORK=off GOFLAGS=-mod=mod go mod download -json "github.com/docker/compose/v2@$COMPOSE_VERSION" 2>>"$log" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p')
	if [ -z "$mod" ] || [ ! -d "$mod" ]; then
		log "could not download docker compose $COMPOSE_VERSION (see $log); the client suite skips"
		return
	fi
	src=$(mktemp -d) || return
	mkdir -p "$plugin_dir"
	if cp -R "$mod/." "$src" && chmod -R u+w "$src" &&
		(cd "$src" && GOWORK=off GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath \
			-ldflags "-s -w -X github.com/docker/compose/v2/internal.Version=$COMPOSE_VERSION" \
			-o "$plugin.tmp" ./cmd) >>"$log" 2>&1 && mv "$plugin.tmp" "$plugin"; then
		rm -f "$log"
		log "installed docker compose $COMPOSE_VERSION: $plugin"
	else
		rm -f "$plugin.tmp"
		log "could not build docker compose $COMPOSE_VERSION (see $log); the client suite skips"
	fi
	rm -rf "$src"
}
