#!/usr/bin/env bash
# install-tf-providers.sh defines install_tf_providers for install-deps.sh:
# the Terraform providers the Terraform e2e applies with (hashicorp/aws),
# built once per machine into the user cache by tf-providers.sh. The first
# run on a machine pays the build (~25 min); later runs find it cached.
# SOCKERLESS_TF_PROVIDERS=skip leaves it out; the Terraform tests (and the
# cloud backend suites, which deploy with the module) then skip.

install_tf_providers() {
	local script
	script="$(dirname "${BASH_SOURCE[0]}")/tf-providers.sh"
	if [ "${SOCKERLESS_TF_PROVIDERS:-}" = skip ]; then
		log "tf-providers: skipped (SOCKERLESS_TF_PROVIDERS=skip); the Terraform tests skip"
		return
	fi
	if bash "$script" --check >/dev/null 2>&1; then
		log "tf-providers: hashicorp/aws cached"
		return
	fi
	local why
	if ! why=$(bash "$script" --can-build 2>&1); then
		log "$why" # no go, too little memory: one line says why
		return
	fi
	local out=/tmp/install-deps-tf-providers.log
	log "tf-providers: building hashicorp/aws once for this machine (~25 min; the log is $out)"
	if bash "$script" >"$out" 2>&1; then
		rm -f "$out"
		log "tf-providers: built hashicorp/aws"
	else
		log "tf-providers: could not build hashicorp/aws (see $out); the Terraform tests skip"
	fi
}
