#!/usr/bin/env bash
# install-tf-providers.sh defines install_tf_providers for install-deps.sh:
# the Terraform providers the Terraform e2e applies with (hashicorp/aws,
# hashicorp/google), each built once per machine into the user cache by
# tf-providers.sh. The first run on a machine pays the builds (~25 min for
# aws, ~4 min for google); later runs find them cached.
# SOCKERLESS_TF_PROVIDERS=skip leaves them out; the Terraform tests (and
# the cloud backend suites, which deploy with the modules) then skip.

install_tf_providers() {
	local p
	if [ "${SOCKERLESS_TF_PROVIDERS:-}" = skip ]; then
		log "tf-providers: skipped (SOCKERLESS_TF_PROVIDERS=skip); the Terraform tests skip"
		return
	fi
	for p in aws google; do
		install_tf_provider "$p"
	done
}

# install_tf_provider builds one provider unless it is cached or cannot
# be built here; never fatal.
install_tf_provider() {
	local script p=$1 minutes
	script="$(dirname "${BASH_SOURCE[0]}")/tf-providers.sh"
	minutes="~25 min"
	[ "$p" = google ] && minutes="~4 min"
	if bash "$script" --check "$p" >/dev/null 2>&1; then
		log "tf-providers: hashicorp/$p cached"
		return
	fi
	local why
	if ! why=$(bash "$script" --can-build "$p" 2>&1); then
		log "$why" # no go, too little memory, not served: one line says why
		return
	fi
	local out=/tmp/install-deps-tf-providers-$p.log
	log "tf-providers: building hashicorp/$p once for this machine ($minutes; the log is $out)"
	if bash "$script" "$p" >"$out" 2>&1; then
		log "$(grep '^tf-providers: built' "$out")"
		rm -f "$out"
	else
		log "tf-providers: could not build hashicorp/$p (see $out); its Terraform tests skip"
	fi
}
