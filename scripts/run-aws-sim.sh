#!/usr/bin/env bash
# run-aws-sim brings up the AWS simulator, applies terraform/modules/aws
# to it through environments/aws-sim with the real Terraform and
# hashicorp/aws provider, pushes the agent image to the deployed
# repository and runs the edge in front of the chosen backend's
# control-plane function, printing the DOCKER_HOST line. Ctrl-C stops the
# edge and the simulator; the simulator's state stays in .run/aws-sim.
#
#   BACKEND=ecs|lambda (default ecs)   ADDR=127.0.0.1:4566
set -euo pipefail
cd "$(dirname "$0")/.."

BACKEND=${BACKEND:-ecs}
ADDR=${ADDR:-127.0.0.1:4566}
RUN=.run/aws-sim
BIN=.run/bin
ENDPOINT="http://$ADDR"
case "$BACKEND" in ecs | lambda) ;; *)
	echo "run-aws-sim: BACKEND must be ecs or lambda, not $BACKEND" >&2
	exit 2
	;;
esac

if ! rc=$(bash scripts/tf-providers.sh --check 2>&1); then
	echo "run-aws-sim: $rc" >&2
	echo "run-aws-sim: the hashicorp/aws provider is not built; run 'make tf-providers' once (about 25 minutes, 11.5 GB of memory)" >&2
	exit 1
fi
export TF_CLI_CONFIG_FILE=$rc

mkdir -p "$RUN" "$BIN"
go build -o "$BIN/awssim" ./simulators/aws/cmd/awssim
go build -o "$BIN/sockerless-edge" ./edge/cmd/sockerless-edge
for b in ecs lambda; do
	go run ./functions/cmd/lambdazip -pkg "./functions/backends/$b/cmd/bootstrap" -o "$RUN/$b.zip"
done

"$BIN/awssim" --addr "$ADDR" --data "$RUN/state" >"$RUN/awssim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null; wait $sim 2>/dev/null' EXIT
for _ in $(seq 100); do
	(exec 3<>"/dev/tcp/${ADDR%:*}/${ADDR#*:}") 2>/dev/null && break
	kill -0 $sim 2>/dev/null || { cat "$RUN/awssim.log" >&2; exit 1; }
	sleep 0.1
done

export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_ENDPOINT_URL=$ENDPOINT
secret_file=$RUN/secret
[[ -s $secret_file ]] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$secret_file"
cat >"$RUN/terraform.tfvars.json" <<JSON
{"endpoint": "$ENDPOINT", "secret": "$(cat "$secret_file")",
 "function_zips": {"ecs": "$PWD/$RUN/ecs.zip", "lambda": "$PWD/$RUN/lambda.zip"},
 "simulator_data": "$PWD/$RUN/state"}
JSON
tf() { TF_DATA_DIR=$PWD/$RUN/terraform terraform -chdir=terraform/environments/aws-sim "$@"; }
tf init -input=false >/dev/null
tf apply -input=false -auto-approve -state="$PWD/$RUN/terraform.tfstate" -var-file="$PWD/$RUN/terraform.tfvars.json" >"$RUN/apply.log"
output() { tf output -state="$PWD/$RUN/terraform.tfstate" -json "$1" | tr -d ' \n'; }
function=$(output functions | sed -n "s/.*\"$BACKEND\":\"\([^\"]*\)\".*/\1/p")
agent_repo=$(output agent_repository_url | tr -d '"')

GOOS=linux GOARCH=amd64 CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$BIN/linux-agent" ./agent/cmd/agent
go run ./functions/cmd/push-agent-image -binary "$BIN/linux-agent" -ref "$agent_repo:latest" >/dev/null

echo "# simulator $ENDPOINT (log $RUN/awssim.log); backend $BACKEND, function $function"
echo "# images must come from the simulator's ECR: push one to ${ADDR}/<repository>:<tag> and docker pull it"
"$BIN/sockerless-edge" --function "$function" --socket "$PWD/$RUN/docker.sock"
