package clients

import (
	"strconv"
	"strings"
)

// The results gitlab-ci-local's closing summary gives a job.
const (
	Pass = "PASS"
	Warn = "WARN" // allow_failure: a job that fails on purpose
)

// GitlabJob is one job of the pipeline and how it must end: its result
// and lines its output must hold.
type GitlabJob struct {
	Name, Want string
	Output     []string
}

// gitlabYAML is a pipeline as CI has it: a default image, global and job
// variables (a job's overriding a global one), artifacts passed between
// stages (through needs and through stage order), a cache pushed by one
// job and pulled by another, a service reached by its alias, an
// allow_failure job, needs. Every script checks its own results, so a
// wrong answer fails the job.
const gitlabYAML = `variables:
  APP_NAME: demo
  GREETING: hello

stages:
  - build
  - test
  - report

default:
  image: {{IMAGE}}

build:
  stage: build
  variables:
    BUILD_DIR: dist
  cache:
    key: vendor-cache
    paths:
      - vendor/
  script:
    - test "$APP_NAME" = demo
    - test "$BUILD_DIR" = dist
    - test "$CI_JOB_NAME" = build
    - mkdir -p "$BUILD_DIR/app" vendor
    - echo "$GREETING from $APP_NAME" > "$BUILD_DIR/app/message.txt"
    - cp src/app.conf "$BUILD_DIR/app/"
    - tar -C "$BUILD_DIR" -czf "$BUILD_DIR/app.tar.gz" app
    - sha256sum "$BUILD_DIR/app.tar.gz" > "$BUILD_DIR/app.tar.gz.sha256"
    - echo "vendored 1.0" > vendor/lib.txt
    - 'echo "build done: $(cat $BUILD_DIR/app/message.txt)"'
  artifacts:
    paths:
      - dist/

unit:
  stage: test
  needs: [build]
  cache:
    key: vendor-cache
    paths:
      - vendor/
    policy: pull
  script:
    - sha256sum -c dist/app.tar.gz.sha256
    - mkdir unpacked && tar -xzf dist/app.tar.gz -C unpacked
    - cmp unpacked/app/app.conf src/app.conf
    - test "$(cat unpacked/app/message.txt)" = "hello from demo"
    - 'echo "artifact ok: $(cat dist/app/message.txt)"'
    - test "$(cat vendor/lib.txt)" = "vendored 1.0"
    - 'echo "cache ok: $(cat vendor/lib.txt)"'

{{SERVICE}}lint:
  stage: test
  needs: []
  allow_failure: true
  script:
    - echo "lint found 1 problem"
    - exit 3

report:
  stage: report
  variables:
    GREETING: goodbye
  script:
    - test "$GREETING" = goodbye
    - test "$APP_NAME" = demo
    - test -f dist/app/message.txt
    - test ! -e unpacked
    - 'echo "report: $(cat dist/app/message.txt), $GREETING"'
`

// serviceJob reaches a service container by its alias.
const serviceJob = `service:
  stage: test
  needs: []
  services:
    - name: {{IMAGE}}
      alias: pingsvc
      command: ["sh", "-c", "while true; do echo pong | nc -l -p {{PORT}}; done"]
  script:
    - |
      for i in $(seq 1 40); do
        out=$(echo ping | nc -w 2 pingsvc {{PORT}}) && [ -n "$out" ] && break
        sleep 0.5
      done
    - 'echo "service answered: $out"'
    - test "$out" = pong

`

// GitlabPipeline is the pipeline with its jobs (and service) on image;
// the service listens on port (a loopback port on runtimes that share
// the host's network).
func GitlabPipeline(image string, port int) (files map[string]string, jobs []GitlabJob) {
	return gitlabPipeline(image, port, true)
}

// GitlabPipelineWithoutService is GitlabPipeline without its service
// job, for a backend whose containers cannot reach each other by name.
func GitlabPipelineWithoutService(image string) (files map[string]string, jobs []GitlabJob) {
	return gitlabPipeline(image, 0, false)
}

func gitlabPipeline(image string, port int, service bool) (files map[string]string, jobs []GitlabJob) {
	svc := ""
	if service {
		svc = serviceJob
	}
	y := strings.NewReplacer("{{SERVICE}}", svc).Replace(gitlabYAML)
	y = strings.NewReplacer("{{IMAGE}}", image, "{{PORT}}", strconv.Itoa(port)).Replace(y)
	jobs = []GitlabJob{
		{Name: "build", Want: Pass, Output: []string{"build done: hello from demo"}},
		{Name: "unit", Want: Pass, Output: []string{"artifact ok: hello from demo", "cache ok: vendored 1.0"}},
		{Name: "service", Want: Pass, Output: []string{"service answered: pong"}},
		{Name: "lint", Want: Warn, Output: []string{"lint found 1 problem"}},
		{Name: "report", Want: Pass, Output: []string{"report: hello from demo, goodbye"}},
	}
	if !service {
		jobs = append(jobs[:2], jobs[3:]...)
	}
	return map[string]string{
		".gitlab-ci.yml": y,
		"src/app.conf":   "name: demo\nversion: 1.4.2\n",
	}, jobs
}
