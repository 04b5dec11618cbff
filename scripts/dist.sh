#!/usr/bin/env bash
# dist.sh builds the release archives into .run/dist (make dist sets
# VERSION and LDFLAGS): for linux/amd64 and linux/arm64, sockerless (its
# agent and WASI module embedded), sockerless-edge, awssim, the static
# agent (for push-agent-image), push-agent-image and the control-plane
# functions' Lambda zips; for darwin, sockerless-edge and sockerless
# (sandbox runtime); and SHA256SUMS over the archives.
set -euo pipefail
cd "$(dirname "$0")/.."
GO=${GO:-go}
: "${VERSION:?set by make dist}" "${LDFLAGS:?set by make dist}"
out=.run/dist
rm -rf "$out"
mkdir -p "$out"

# build GOOS GOARCH DIR PACKAGE: one static, -trimpath, stamped binary.
# Linux sockerless for this machine's architecture is the exception: the
# native runtime links runc's libcontainer, whose namespace entry is C,
# so it links the C library dynamically (any glibc Linux runs it); where
# no C cross-compiler is at hand it is static and --runtime native says
# it is not built in.
build() {
	local cgo=0
	if [ "$1/$2/$4" = "linux/$("$GO" env GOARCH)/./local/cmd/sockerless" ]; then
		cgo=1
	fi
	GOOS=$1 GOARCH=$2 CGO_ENABLED=$cgo "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$3/" "$4"
}

for arch in amd64 arm64; do
	make -s prebuilt GOARCH="$arch" # sockerless embeds this architecture's agent
	d=$out/sockerless_${VERSION}_linux_$arch
	mkdir -p "$d"
	for pkg in ./local/cmd/sockerless ./edge/cmd/sockerless-edge ./simulators/aws/cmd/awssim ./functions/cmd/push-agent-image; do
		build linux "$arch" "$d" "$pkg"
	done
	cp "agent/agentbin/prebuilt/agent-linux-$arch" "$d/sockerless-agent"
	for fn in ecs lambda; do
		"$GO" run ./functions/cmd/lambdazip -pkg "./functions/backends/$fn/cmd/bootstrap" -arch "$arch" -ldflags "$LDFLAGS" -o "$d/function-$fn.zip"
	done
	d=$out/sockerless_${VERSION}_darwin_$arch
	mkdir -p "$d"
	build darwin "$arch" "$d" ./local/cmd/sockerless
	build darwin "$arch" "$d" ./edge/cmd/sockerless-edge
done
make -s prebuilt # back to this machine's architecture for development

for d in "$out"/*/; do
	name=$(basename "$d")
	cp README.md "$d"
	tar -C "$out" --sort=name --owner=0 --group=0 --numeric-owner -czf "$out/$name.tar.gz" "$name"
	rm -rf "$d"
done
(cd "$out" && sha256sum -- *.tar.gz >SHA256SUMS)
ls -l "$out"
