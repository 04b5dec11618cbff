package clients

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The results a step of the workflow is expected to end with in act's log.
const (
	Success = "success"
	Failure = "failure" // a continue-on-error step that fails on purpose
	Skipped = "skipped" // an `if:` that is false: act logs nothing for it
)

// Step is one step the workflow runs, as act names it, and how it must
// end. Job is act's name for the job: workflow/job, with -N for the Nth
// cell of a matrix.
type Step struct {
	Job, Name, Want string
}

// Workflow is a repository with one GitHub Actions workflow and the steps
// act must report for it.
type Workflow struct {
	Files map[string]string // path in the repository → content
	Steps []Step
}

// ciYAML is a build job as CI has it (env through $GITHUB_ENV, outputs
// through $GITHUB_OUTPUT, working-directory, continue-on-error, $GITHUB_PATH,
// a tar.gz artifact with its sha256, text tools) and a job that needs it.
// Every step checks its own result, so a wrong answer fails the step.
const ciYAML = `name: ci
on: push
env:
  APP: demo
jobs:
  build:
    runs-on: ubuntu-latest
    container:
      image: {{IMAGE}}
    outputs:
      version: ${{ steps.meta.outputs.version }}
      digest: ${{ steps.checksum.outputs.sha }}
    steps:
      - name: checkout
        uses: actions/checkout@v4
      - name: set env
        run: |
          echo "BUILD_ID=42" >> "$GITHUB_ENV"
          {
            echo 'NOTES<<EOF'
            echo 'first line'
            echo 'second line'
            echo 'EOF'
          } >> "$GITHUB_ENV"
      - name: read env
        run: |
          test "$BUILD_ID" = 42
          test "$(printf '%s\n' "$NOTES" | wc -l)" -eq 2
          test "$APP" = demo
          test "$CI" = true
      - name: version
        id: meta
        run: |
          version=$(sed -n 's/^version: *//p' src/app.conf)
          echo "version=$version" >> "$GITHUB_OUTPUT"
      - name: use output
        run: test "${{ steps.meta.outputs.version }}" = 1.4.2
      - name: working directory
        working-directory: src
        run: |
          test -f app.conf
          test "$(basename "$PWD")" = src
      - name: flaky
        id: flaky
        continue-on-error: true
        run: |
          echo "this step fails on purpose"
          exit 3
      - name: after flaky
        run: |
          test "${{ steps.flaky.outcome }}" = failure
          test "${{ steps.flaky.conclusion }}" = success
      - name: text tools
        working-directory: src
        run: |
          grep -v '^#' words.txt | tr 'A-Z' 'a-z' | sort | uniq -c | sort -rn | awk '{print $2 "=" $1}' | head -3 > ../top.txt
          cat ../top.txt
          test "$(head -1 ../top.txt)" = "apple=3"
          sed -i 's/=/: /' ../top.txt
          grep -q '^apple: 3$' ../top.txt
          test "$(cut -d: -f1 ../top.txt | sort | tr '\n' ' ')" = "apple banana cherry "
      - name: tool on path
        run: |
          mkdir -p tools
          printf '#!/bin/sh\necho "tool says $1"\n' > tools/greet
          chmod +x tools/greet
          echo "$PWD/tools" >> "$GITHUB_PATH"
      - name: use tool
        run: test "$(greet hi)" = "tool says hi"
      - name: package
        run: |
          mkdir -p dist/app
          cp src/words.txt src/app.conf dist/app/
          echo "$BUILD_ID" > dist/app/BUILD
          tar -C dist -cf app.tar app
          gzip -9 app.tar
          gzip -t app.tar.gz
      - name: checksum
        id: checksum
        run: |
          sha256sum app.tar.gz > app.tar.gz.sha256
          sha256sum -c app.tar.gz.sha256
          echo "sha=$(cut -d' ' -f1 app.tar.gz.sha256)" >> "$GITHUB_OUTPUT"
      - name: verify artifact
        run: |
          mkdir -p unpacked
          tar -xzf app.tar.gz -C unpacked
          cmp unpacked/app/words.txt src/words.txt
          test "$(cat unpacked/app/BUILD)" = 42
          test "$(tar -tzf app.tar.gz | grep -c '^app/.')" -eq 3
      - name: not on main
        if: ${{ github.ref != 'refs/heads/main' }}
        run: exit 1
      - name: summary
        run: |
          echo "### built ${{ steps.meta.outputs.version }}" >> "$GITHUB_STEP_SUMMARY"
          echo "sha ${{ steps.checksum.outputs.sha }}"
  report:
    needs: build
    runs-on: ubuntu-latest
    container:
      image: {{IMAGE}}
    steps:
      - name: needs outputs
        run: |
          test "${{ needs.build.outputs.version }}" = 1.4.2
          echo "${{ needs.build.outputs.digest }}" | grep -Eq '^[0-9a-f]{64}$'
      - name: fresh container
        run: test ! -e app.tar.gz
`

// CIWorkflow is the CI workflow with its job containers on image.
func CIWorkflow(image string) Workflow {
	build := []string{"Set up job", "checkout", "set env", "read env", "version", "use output",
		"working directory", "flaky", "after flaky", "text tools", "tool on path", "use tool",
		"package", "checksum", "verify artifact", "not on main", "summary", "Complete job"}
	report := []string{"Set up job", "needs outputs", "fresh container", "Complete job"}
	var steps []Step
	for _, n := range build {
		want := Success
		switch n {
		case "flaky":
			want = Failure
		case "not on main":
			want = Skipped
		}
		steps = append(steps, Step{Job: "ci/build", Name: n, Want: want})
	}
	for _, n := range report {
		steps = append(steps, Step{Job: "ci/report", Name: n, Want: Success})
	}
	return Workflow{
		Files: map[string]string{
			".github/workflows/ci.yml": strings.ReplaceAll(ciYAML, "{{IMAGE}}", image),
			"src/app.conf":             "name: demo\nversion: 1.4.2\n",
			"src/words.txt":            "# fruit seen today\nApple\nbanana\napple\nCherry\nbanana\nAPPLE\ncherry\ndate\n",
		},
		Steps: steps,
	}
}

// WriteRepo writes w's files into dir and commits them on branch main
// (act reads the ref and sha from git).
func WriteRepo(dir string, w Workflow) error {
	for name, content := range w.Files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return commitRepo(dir, "ci workflow")
}

// commitRepo makes dir a git repository with its files committed on
// branch main.
func commitRepo(dir, message string) error {
	for _, args := range [][]string{
		{"init", "-q", "-b", "main", "."},
		{"add", "-A"},
		{"commit", "-q", "-m", message},
	} {
		cmd := exec.Command("git", append([]string{"-c", "user.name=e2e", "-c", "user.email=e2e@localhost", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	return nil
}
