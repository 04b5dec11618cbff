package clisuite

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// startAwssim builds and runs cmd/awssim, returning its URL.
func startAwssim(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "awssim")
	build := exec.Command("go", "build", "-o", bin, "../cmd/awssim")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build awssim: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--runtime", "sandbox")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("awssim did not announce its address: %v", err)
	}
	url := strings.TrimSpace(strings.TrimPrefix(line, "awssim listening on "))
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("unexpected announcement %q", line)
	}
	return url
}

// awsEnv isolates the CLI from the machine's AWS configuration.
func awsEnv(dir string) []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE="+filepath.Join(dir, "config"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1")
}

// get walks a decoded JSON document: keys for objects, indexes for
// arrays, and "*key" for that key of every element of an array.
func get(v any, path ...string) any {
	for _, p := range path {
		if l, ok := v.([]any); ok && strings.HasPrefix(p, "*") {
			all := make([]any, len(l))
			for i, e := range l {
				all[i] = get(e, p[1:])
			}
			v = all
			continue
		}
		switch x := v.(type) {
		case map[string]any:
			v = x[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// cliCase is one CLI command: either its JSON output passes check, or it
// fails with the AWS error code wantErr.
type cliCase struct {
	args    []string
	wantErr string
	check   func(t *testing.T, out any, raw string)
}

// equals asserts that the value at path is want (compared as JSON text).
func equals(want any, path ...string) func(*testing.T, any, string) {
	return func(t *testing.T, out any, raw string) {
		t.Helper()
		got, _ := json.Marshal(get(out, path...))
		w, _ := json.Marshal(want)
		if !bytes.Equal(got, w) {
			t.Fatalf("%s = %s, want %s\n%s", strings.Join(path, "."), got, w, raw)
		}
	}
}

func count(n int, path ...string) func(*testing.T, any, string) {
	return func(t *testing.T, out any, raw string) {
		t.Helper()
		if l, _ := get(out, path...).([]any); len(l) != n {
			t.Fatalf("len(%s) = %d, want %d\n%s", strings.Join(path, "."), len(l), n, raw)
		}
	}
}

func TestAWSCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("the CLI suite starts a Python process per command; skipped in -short mode")
	}
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the AWS CLI (aws) is not on PATH; skipping the CLI suite")
	}
	url := startAwssim(t)
	host := strings.TrimPrefix(url, "http://")
	env := awsEnv(t.TempDir())
	now := time.Now().UnixMilli()
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:*","Resource":"*"}]}`
	key := `{"pk":{"S":"a"},"sk":{"N":"1"}}`

	cases := []cliCase{
		{args: []string{"sts", "get-caller-identity"}, check: equals("arn:aws:iam::000000000000:root", "Arn")},

		{args: []string{"dynamodb", "create-table", "--table-name", "cli",
			"--attribute-definitions", "AttributeName=pk,AttributeType=S", "AttributeName=sk,AttributeType=N",
			"--key-schema", "AttributeName=pk,KeyType=HASH", "AttributeName=sk,KeyType=RANGE", "--billing-mode", "PAY_PER_REQUEST"},
			check: equals("arn:aws:dynamodb:us-east-1:000000000000:table/cli", "TableDescription", "TableArn")},
		{args: []string{"dynamodb", "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"S":"one"}}`}, check: func(*testing.T, any, string) {}},
		{args: []string{"dynamodb", "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"a"},"sk":{"N":"2"},"v":{"S":"two"}}`}, check: func(*testing.T, any, string) {}},
		{args: []string{"dynamodb", "put-item", "--table-name", "cli", "--item", `{"pk":{"S":"a"},"sk":{"N":"1"}}`, "--condition-expression", "attribute_not_exists(pk)"},
			wantErr: "ConditionalCheckFailedException"},
		{args: []string{"dynamodb", "get-item", "--table-name", "cli", "--key", key, "--consistent-read"}, check: equals("one", "Item", "v", "S")},
		{args: []string{"dynamodb", "query", "--table-name", "cli", "--key-condition-expression", "pk = :p AND sk > :s",
			"--expression-attribute-values", `{":p":{"S":"a"},":s":{"N":"1"}}`}, check: equals([]any{map[string]any{"pk": map[string]any{"S": "a"}, "sk": map[string]any{"N": "2"}, "v": map[string]any{"S": "two"}}}, "Items")},
		{args: []string{"dynamodb", "update-item", "--table-name", "cli", "--key", key, "--update-expression", "SET v = :v",
			"--expression-attribute-values", `{":v":{"S":"uno"}}`, "--return-values", "ALL_NEW"}, check: equals("uno", "Attributes", "v", "S")},
		{args: []string{"dynamodb", "scan", "--table-name", "cli"}, check: equals(2.0, "Count")},
		{args: []string{"dynamodb", "describe-table", "--table-name", "missing"}, wantErr: "ResourceNotFoundException"},

		{args: []string{"logs", "create-log-group", "--log-group-name", "/cli/app"}, check: func(*testing.T, any, string) {}},
		{args: []string{"logs", "create-log-group", "--log-group-name", "/cli/app"}, wantErr: "ResourceAlreadyExistsException"},
		{args: []string{"logs", "create-log-stream", "--log-group-name", "/cli/app", "--log-stream-name", "web/1"}, check: func(*testing.T, any, string) {}},
		{args: []string{"logs", "put-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web/1", "--log-events",
			fmt.Sprintf("timestamp=%d,message=started", now), fmt.Sprintf("timestamp=%d,message=ERROR boom", now+1)},
			check: func(t *testing.T, out any, raw string) {
				if get(out, "nextSequenceToken") == nil {
					t.Fatalf("no nextSequenceToken: %s", raw)
				}
			}},
		{args: []string{"logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "web/1", "--start-from-head"},
			check: equals([]any{"started", "ERROR boom"}, "events", "*message")},
		{args: []string{"logs", "filter-log-events", "--log-group-name", "/cli/app", "--filter-pattern", "ERROR"},
			check: equals("ERROR boom", "events", "0", "message")},
		{args: []string{"logs", "describe-log-streams", "--log-group-name", "/cli/app"}, check: equals(float64(now+1), "logStreams", "0", "lastEventTimestamp")},
		{args: []string{"logs", "put-retention-policy", "--log-group-name", "/cli/app", "--retention-in-days", "7"}, check: func(*testing.T, any, string) {}},
		{args: []string{"logs", "describe-log-groups", "--log-group-name-prefix", "/cli/"}, check: equals(7.0, "logGroups", "0", "retentionInDays")},
		{args: []string{"logs", "get-log-events", "--log-group-name", "/cli/app", "--log-stream-name", "nope"}, wantErr: "ResourceNotFoundException"},

		{args: []string{"iam", "create-role", "--role-name", "task", "--assume-role-policy-document", trust},
			check: equals("arn:aws:iam::000000000000:role/task", "Role", "Arn")},
		{args: []string{"iam", "get-role", "--role-name", "task"}, check: equals("ecs-tasks.amazonaws.com", "Role", "AssumeRolePolicyDocument", "Statement", "0", "Principal", "Service")},
		{args: []string{"iam", "create-policy", "--policy-name", "logs", "--policy-document", doc},
			check: equals("arn:aws:iam::000000000000:policy/logs", "Policy", "Arn")},
		{args: []string{"iam", "attach-role-policy", "--role-name", "task", "--policy-arn", "arn:aws:iam::000000000000:policy/logs"}, check: func(*testing.T, any, string) {}},
		{args: []string{"iam", "list-attached-role-policies", "--role-name", "task"}, check: equals("logs", "AttachedPolicies", "0", "PolicyName")},
		{args: []string{"iam", "put-role-policy", "--role-name", "task", "--policy-name", "inline", "--policy-document", doc}, check: func(*testing.T, any, string) {}},
		{args: []string{"iam", "get-role-policy", "--role-name", "task", "--policy-name", "inline"}, check: equals("logs:*", "PolicyDocument", "Statement", "0", "Action")},
		{args: []string{"iam", "delete-role", "--role-name", "task"}, wantErr: "DeleteConflict"},
		{args: []string{"iam", "delete-policy", "--policy-arn", "arn:aws:iam::000000000000:policy/logs"}, wantErr: "DeleteConflict"},
		{args: []string{"iam", "get-role", "--role-name", "ghost"}, wantErr: "NoSuchEntity"},

		{args: []string{"ecr", "create-repository", "--repository-name", "svc/api"}, check: equals(host+"/svc/api", "repository", "repositoryUri")},
		{args: []string{"ecr", "describe-repositories"}, check: count(1, "repositories")},
		{args: []string{"ecr", "get-authorization-token"}, check: equals(url, "authorizationData", "0", "proxyEndpoint")},
		{args: []string{"ecr", "get-login-password"}, check: func(t *testing.T, _ any, raw string) {
			if !regexp.MustCompile(`^\d+\.[0-9a-f]{64}\s*$`).MatchString(raw) {
				t.Fatalf("password %q", raw)
			}
		}},
		{args: []string{"ecr", "delete-repository", "--repository-name", "svc/api"}, check: equals("svc/api", "repository", "repositoryName")},
		{args: []string{"ecr", "describe-repositories", "--repository-names", "svc/api"}, wantErr: "RepositoryNotFoundException"},
	}
	for i, c := range cases {
		name := fmt.Sprintf("%02d %s", i, strings.Join(c.args[:2], " "))
		if !t.Run(name, func(t *testing.T) { runCLI(t, url, env, c) }) {
			t.FailNow() // later commands depend on earlier state
		}
	}
}

func runCLI(t *testing.T, url string, env []string, c cliCase) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "aws", append([]string{"--endpoint-url", url, "--output", "json"}, c.args...)...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if c.wantErr != "" {
		if err == nil || !strings.Contains(stderr.String(), "("+c.wantErr+")") {
			t.Fatalf("aws %s: want error %s, got %v\nstdout: %s\nstderr: %s", strings.Join(c.args, " "), c.wantErr, err, &stdout, &stderr)
		}
		return
	}
	if err != nil {
		t.Fatalf("aws %s: %v\n%s", strings.Join(c.args, " "), err, &stderr)
	}
	var out any
	if strings.HasPrefix(strings.TrimSpace(stdout.String()), "{") {
		if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
			t.Fatalf("aws %s printed invalid JSON: %v\n%s", strings.Join(c.args, " "), err, &stdout)
		}
	}
	c.check(t, out, stdout.String())
}
