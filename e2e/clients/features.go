package clients

import (
	"strconv"
	"strings"
)

// ServiceImage is the image of the features workflow's service container:
// the test image whose command answers $ANSWER to each TCP connection on
// $PORT (a service has no command of its own in a workflow).
const ServiceImage = "sockerless-e2e/act-service:1"

// ServiceImageFiles is ServiceImage's build context, on base.
func ServiceImageFiles(base string) map[string]string {
	return map[string]string{
		"Dockerfile": "FROM " + base + "\n" +
			`CMD ["sh", "-c", "while true; do echo \"$ANSWER\" | nc -l -p \"$PORT\"; done"]` + "\n",
	}
}

// featuresYAML holds the jobs beyond the build job: a service container
// reached by its name, a 2x2 matrix with an exclude and an include, and a
// step that uses a Dockerfile action of the repository, which act builds
// through the engine's build API.
const featuresYAML = `name: features
on: push
jobs:
  services:
    runs-on: ubuntu-latest
    container:
      image: {{IMAGE}}
    services:
      pong:
        image: {{SERVICE}}
        env:
          ANSWER: pong-{{PORT}}
          PORT: "{{PORT}}"
    steps:
      - name: reach service by name
        run: |
          got=
          for i in $(seq 1 30); do
            got=$(echo ping | nc -w 2 pong {{PORT}}) || true
            if [ "$got" = "pong-{{PORT}}" ]; then exit 0; fi
            sleep 1
          done
          echo "service pong did not answer pong-{{PORT}}: got '$got'"
          exit 1
  matrix:
    runs-on: ubuntu-latest
    container:
      image: {{IMAGE}}
    strategy:
      matrix:
        flavor: [plain, salted]
        size: [1, 2]
        exclude:
          - flavor: salted
            size: 2
        include:
          - flavor: plain
            size: 3
            extra: big
    steps:
      - name: cell
        run: |
          cell="${{ matrix.flavor }}-${{ matrix.size }}"
          echo "matrix cell $cell extra=${{ matrix.extra }}"
          case "$cell" in
            plain-1|plain-2|salted-1) test -z "${{ matrix.extra }}" ;;
            plain-3) test "${{ matrix.extra }}" = big ;;
            *) echo "unexpected cell $cell"; exit 1 ;;
          esac
  docker-action:
    runs-on: ubuntu-latest
    container:
      image: {{IMAGE}}
    steps:
      - name: checkout
        uses: actions/checkout@v4
      - name: greet
        id: greet
        uses: ./.github/actions/greet
        with:
          who: octocat
      - name: greeting
        run: test "${{ steps.greet.outputs.greeting }}" = "hello octocat"
`

const greetAction = `name: greet
description: a Dockerfile action built FROM the test image
inputs:
  who:
    description: whom to greet
    required: true
outputs:
  greeting:
    description: what it said
runs:
  using: docker
  image: Dockerfile
  args:
    - ${{ inputs.who }}
`

// greetEntrypoint checks what the build left in the image, the input as
// both env and argument, and the workspace the action runs in.
const greetEntrypoint = `#!/bin/sh
set -e
test "$(cat /opt/greet/stamp)" = built
test "$INPUT_WHO" = "$1"
test -f "$GITHUB_WORKSPACE/.github/actions/greet/action.yml"
echo "hello $1"
echo "greeting=hello $1" >> "$GITHUB_OUTPUT"
`

// MatrixCells are the cells the matrix job must run, each once, as its
// "cell" step logs them.
var MatrixCells = []string{"plain-1", "plain-2", "salted-1", "plain-3"}

// FeaturesWorkflow is the features workflow with its job containers on
// image and its service listening on port.
func FeaturesWorkflow(image string, port int) Workflow {
	r := strings.NewReplacer("{{IMAGE}}", image, "{{SERVICE}}", ServiceImage, "{{PORT}}", strconv.Itoa(port))
	job := func(j string, names ...string) []Step {
		steps := []Step{{Job: j, Name: "Set up job", Want: Success}}
		for _, n := range names {
			steps = append(steps, Step{Job: j, Name: n, Want: Success})
		}
		return append(steps, Step{Job: j, Name: "Complete job", Want: Success})
	}
	steps := job("features/services", "reach service by name")
	for i := range MatrixCells {
		steps = append(steps, job("features/matrix-"+strconv.Itoa(i+1), "cell")...)
	}
	steps = append(steps, job("features/docker-action", "checkout", "greet", "greeting")...)
	return Workflow{
		Files: map[string]string{
			".github/workflows/features.yml":      r.Replace(featuresYAML),
			".github/actions/greet/action.yml":    greetAction,
			".github/actions/greet/entrypoint.sh": greetEntrypoint,
			".github/actions/greet/Dockerfile": "FROM " + image + "\n" +
				"COPY entrypoint.sh /entrypoint.sh\n" +
				"RUN chmod +x /entrypoint.sh && mkdir -p /opt/greet && echo built > /opt/greet/stamp\n" +
				`ENTRYPOINT ["/entrypoint.sh"]` + "\n",
		},
		Steps: steps,
	}
}
