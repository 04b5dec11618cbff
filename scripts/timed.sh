#!/usr/bin/env bash
# timed.sh NAME CMD... runs CMD, then prints how long it took as
# `time: NAME 7m12s`, and exits with CMD's status. Sourced, it defines
# the shell function timed, which does the same for shell functions.
# `make test` prints one such line for each of its parts.

# print_time NAME SECONDS prints the line.
print_time() {
	local s=$2
	if ((s >= 60)); then
		printf 'time: %s %dm%ds\n' "$1" $((s / 60)) $((s % 60))
	else
		printf 'time: %s %ds\n' "$1" "$s"
	fi
}

timed() {
	local name=$1 start=$SECONDS rc=0
	shift
	"$@" || rc=$?
	print_time "$name" $((SECONDS - start))
	return $rc
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
	timed "$@"
fi
