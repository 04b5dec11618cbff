#!/usr/bin/env bash
# install-deps.sh installs what the test suites use and Go modules cannot bring:
#   docker.io       a real Docker Engine (dockerd) that e2e compares against
#   busybox-static  the binaries of the e2e test image
#   act             the GitHub Actions runner the client suite (e2e/clients)
#                   drives, pinned, built with go install into the user cache
#   gitlab-ci-local the GitLab CI runner the client suite drives, with Node 22,
#                   from npm into the user cache (install-gitlab-ci-local.sh)
#   rsync           what gitlab-ci-local runs on the host to copy the project
#   docker compose  the same, as a docker CLI plugin (install-compose.sh)
#   google-cloud-cli-firestore-emulator
#                   the real Firestore emulator the GCP simulator's
#                   differential test and benchmark compare against
#   mmdebstrap      builds the Debian images the native runtime's tests run
#                   (functions/testing/debimage)
#   hashicorp/aws,  the Terraform providers the Terraform e2e and the cloud
#   hashicorp/google backend suites deploy with, built once per machine
#                   (install-tf-providers.sh, tf-providers.sh)
# Each part prints how long it took (time: deps <part> 1m2s).
# It is idempotent and quiet, and it never fails the build: what cannot be
# installed is reported on one line and the suites skip what needs it.
set -u

PACKAGES="docker.io busybox-static rsync"
ACT_VERSION=v0.2.89

log() { printf 'install-deps: %s\n' "$*"; }

# shellcheck source=timed.sh
. "$(dirname "$0")/timed.sh"

# shellcheck source=install-compose.sh
. "$(dirname "$0")/install-compose.sh"

# install_act builds act once per machine into the cache the client suite
# looks in, and prints its absolute path.
install_act() {
	local bin_dir="${XDG_CACHE_HOME:-$HOME/.cache}/sockerless/bin"
	local act="$bin_dir/act"
	if [ -x "$act" ] && "$act" --version 2>/dev/null | grep -qx "act version ${ACT_VERSION#v}"; then
		log "act: $act"
		return
	fi
	if ! command -v go >/dev/null 2>&1; then
		log "no go command: skipping act; the client suite skips"
		return
	fi
	mkdir -p "$bin_dir"
	# Outside the workspace, so the repository's go.work does not apply.
	if (cd / && GOWORK=off GOBIN="$bin_dir" go install "github.com/nektos/act@$ACT_VERSION") >/tmp/install-deps-act.log 2>&1; then
		rm -f /tmp/install-deps-act.log
		log "installed act $ACT_VERSION: $act"
	else
		log "could not install act (see /tmp/install-deps-act.log); the client suite skips"
	fi
}

# install_mmdebstrap installs Debian's mmdebstrap, which builds real
# images (bookworm with python3, ...) from the package archive.
install_mmdebstrap() {
	if command -v mmdebstrap >/dev/null 2>&1; then
		return
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		log "no mmdebstrap and cannot apt-get it: the native runtime's image tests fail saying so"
		return
	fi
	if ! apt-cache show mmdebstrap >/dev/null 2>&1; then
		apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed; trying with the lists at hand"
	fi
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mmdebstrap >/tmp/install-deps-mmdebstrap.log 2>&1; then
		rm -f /tmp/install-deps-mmdebstrap.log
		log "installed mmdebstrap"
	else
		log "could not install mmdebstrap (see /tmp/install-deps-mmdebstrap.log)"
	fi
}

timed "deps act" install_act
timed "deps compose" install_compose

# shellcheck source=scripts/install-gitlab-ci-local.sh
. "$(dirname "$0")/install-gitlab-ci-local.sh"
timed "deps gitlab-ci-local" install_gitlab_ci_local

# install_firestore_emulator installs the Firestore emulator (gcloud's
# component, a Java program) from Google's Debian repository when gcloud
# came from it; without that repository or root, the differential test
# skips and says why.
install_firestore_emulator() {
	local pkg=google-cloud-cli-firestore-emulator
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
		return
	fi
	if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		log "not root or no apt-get: skipping $pkg; the Firestore differential skips"
		return
	fi
	if ! apt-cache show "$pkg" >/dev/null 2>&1; then
		log "no apt source offers $pkg (Google's packages.cloud.google.com repository is not configured); the Firestore differential skips"
		return
	fi
	if DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$pkg" >/tmp/install-deps-"$pkg".log 2>&1; then
		rm -f /tmp/install-deps-"$pkg".log
		log "installed $pkg"
	else
		log "could not install $pkg (see /tmp/install-deps-$pkg.log); the Firestore differential skips"
	fi
}

timed "deps firestore-emulator" install_firestore_emulator
timed "deps mmdebstrap" install_mmdebstrap

# shellcheck source=install-tf-providers.sh
. "$(dirname "$0")/install-tf-providers.sh"
timed "deps tf-providers" install_tf_providers

# The Debian packages, last: what is left of the script.
apt_start=$SECONDS
trap 'print_time "deps apt" $((SECONDS - apt_start))' EXIT

if [ "$(id -u)" != 0 ]; then
	log "not root: skipping apt packages ($PACKAGES); e2e skips what needs them"
	exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
	log "no apt-get on this machine: skipping $PACKAGES"
	exit 0
fi

installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

missing=""
for p in $PACKAGES; do
	installed "$p" || missing="$missing $p"
done
if [ -z "$missing" ]; then
	exit 0
fi

export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt does not know a missing package yet:
# an update costs time and network on every run otherwise.
for p in $missing; do
	if ! apt-cache show "$p" >/dev/null 2>&1; then
		apt-get update -qq >/dev/null 2>&1 || log "apt-get update failed; trying with the lists at hand"
		break
	fi
done

for p in $missing; do
	if apt-get install -y -qq --no-install-recommends "$p" >/tmp/install-deps-"$p".log 2>&1; then
		rm -f /tmp/install-deps-"$p".log
		log "installed $p"
	else
		log "could not install $p (see /tmp/install-deps-$p.log); tests that need it will skip"
	fi
done
exit 0
