package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/sockerless/sockerless/simulators/aws/server"
)

// bootstrap is the echofn binary and urlFn the urlfn one, built once for
// the whole package.
var bootstrap, urlFn []byte

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "echofn-")
	if err != nil {
		panic(err)
	}
	cmd := exec.Command("go", "build", "-tags", "lambda.norpc", "-ldflags", "-s -w", "-o", dir+"/", "./internal/echofn", "./internal/urlfn")
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=amd64", "CGO_ENABLED=0")
	if b, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building test functions: %v\n%s", err, b)
		os.Exit(1)
	}
	bootstrap, err = os.ReadFile(filepath.Join(dir, "echofn"))
	if err == nil {
		urlFn, err = os.ReadFile(filepath.Join(dir, "urlfn"))
	}
	os.RemoveAll(dir)
	if err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// codeZip is a deployment package: bootstrap plus version.txt, so two
// versions of the code differ in behaviour while sharing one binary.
func codeZip(t testing.TB, version string) []byte {
	return zipOf(t, zipEntry{"bootstrap", 0o755, bootstrap}, zipEntry{"version.txt", 0o644, []byte(version)})
}

type zipEntry struct {
	name string
	mode os.FileMode
	data []byte
}

func zipOf(t testing.TB, files ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		h := &zip.FileHeader{Name: f.name, Method: zip.Deflate}
		h.SetMode(f.mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(f.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func start(t testing.TB, cfg server.Config) (*server.Server, *awslambda.Client) {
	t.Helper()
	cfg.Addr = "127.0.0.1:0"
	s, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, client(t, s.URL(), "test")
}

func client(t testing.TB, url, secret string) *awslambda.Client {
	return awslambda.NewFromConfig(awsConfig(t, url, secret))
}

func awsConfig(t testing.TB, url, secret string) aws.Config {
	awsCfg, err := config.LoadDefaultConfig(context.Background(),
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("test", secret, "")),
		config.WithBaseEndpoint(url),
		config.WithRetryMaxAttempts(1),
		config.WithSharedConfigProfile(""),
	)
	if err != nil {
		t.Fatal(err)
	}
	return awsCfg
}

const role = "arn:aws:iam::000000000000:role/lambda-role"

func create(t testing.TB, c *awslambda.Client, name string, timeout int32, env map[string]string) *awslambda.CreateFunctionOutput {
	t.Helper()
	in := &awslambda.CreateFunctionInput{
		FunctionName: aws.String(name),
		Runtime:      types.RuntimeProvidedal2023,
		Role:         aws.String(role),
		Handler:      aws.String("bootstrap"),
		Code:         &types.FunctionCode{ZipFile: codeZip(t, "v1")},
		Timeout:      aws.Int32(timeout),
	}
	if env != nil {
		in.Environment = &types.Environment{Variables: env}
	}
	out, err := c.CreateFunction(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

type reply struct {
	Value     string `json:"value"`
	PID       int    `json:"pid"`
	Version   string `json:"version"`
	RequestID string `json:"requestId"`
	Env       string `json:"env"`
	Region    string `json:"region"`
}

type fnError struct {
	ErrorMessage string `json:"errorMessage"`
	ErrorType    string `json:"errorType"`
}

// invoke calls the function synchronously with event.
func invoke(t testing.TB, c *awslambda.Client, name string, event map[string]any, opt ...func(*awslambda.InvokeInput)) *awslambda.InvokeOutput {
	t.Helper()
	payload, _ := json.Marshal(event)
	in := &awslambda.InvokeInput{FunctionName: aws.String(name), Payload: payload}
	for _, o := range opt {
		o(in)
	}
	out, err := c.Invoke(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func decodeReply(t testing.TB, out *awslambda.InvokeOutput) reply {
	t.Helper()
	if out.FunctionError != nil {
		t.Fatalf("function error %s: %s", *out.FunctionError, out.Payload)
	}
	var r reply
	if err := json.Unmarshal(out.Payload, &r); err != nil {
		t.Fatalf("payload %q: %v", out.Payload, err)
	}
	return r
}
