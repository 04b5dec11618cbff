#!/usr/bin/env bash
# install-deps.sh installs the Debian packages the test suites use:
#   docker.io       a real Docker Engine (dockerd) that e2e compares against
#   busybox-static  the binaries of the e2e test image
# It is idempotent and quiet, and it never fails the build: a package that
# cannot be installed is reported on one line and the suites skip what needs it.
set -u

PACKAGES="docker.io busybox-static"

log() { printf 'install-deps: %s\n' "$*"; }

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
