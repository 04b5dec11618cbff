package lambda

import (
	"fmt"
	"regexp"
	"strings"
)

// Configuration is FunctionConfiguration as the API returns it; it is also
// what the store persists for each function.
type Configuration struct {
	FunctionName     string            `json:"FunctionName"`
	FunctionArn      string            `json:"FunctionArn"`
	Runtime          string            `json:"Runtime,omitempty"`
	Role             string            `json:"Role"`
	Handler          string            `json:"Handler,omitempty"`
	CodeSize         int64             `json:"CodeSize"`
	Description      string            `json:"Description"`
	Timeout          int               `json:"Timeout"`
	MemorySize       int               `json:"MemorySize"`
	LastModified     string            `json:"LastModified"`
	CodeSha256       string            `json:"CodeSha256"`
	Version          string            `json:"Version"`
	Environment      *environment      `json:"Environment,omitempty"`
	TracingConfig    map[string]string `json:"TracingConfig"`
	RevisionID       string            `json:"RevisionId"`
	State            string            `json:"State"`
	LastUpdateStatus string            `json:"LastUpdateStatus"`
	PackageType      string            `json:"PackageType"`
	Architectures    []string          `json:"Architectures"`
	EphemeralStorage map[string]int    `json:"EphemeralStorage"`
	LoggingConfig    map[string]string `json:"LoggingConfig"`
	// FileSystemConfigs and VpcConfig: an EFS access point in every
	// instance (filesystems.go).
	FileSystemConfigs []fileSystemConfig `json:"FileSystemConfigs,omitempty"`
	VpcConfig         *vpcConfig         `json:"VpcConfig,omitempty"`
	// ImageConfigResponse is set for PackageType Image.
	ImageConfigResponse *imageConfigResponse `json:"ImageConfigResponse,omitempty"`
}

type environment struct {
	Variables map[string]string `json:"Variables"`
}

// Runtimes whose code is a zip with an executable entry point. go1.x ran
// the Handler-named binary; the provided runtimes run "bootstrap".
var runtimes = map[string]bool{"provided.al2023": true, "provided.al2": true, "provided": true, "go1.x": true}

var (
	nameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	roleRE = regexp.MustCompile(`^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$`)
	envRE  = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9_])+$`)
)

// reservedEnv are the variables Lambda sets itself and refuses to let a
// function override.
var reservedEnv = []string{
	"_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

func checkTimeout(v int) error {
	if v < 1 || v > 900 {
		return validation(v, "timeout", "Member must have value between 1 and 900")
	}
	return nil
}

func checkMemory(v int) error {
	if v < 128 || v > 10240 {
		return validation(v, "memorySize", "Member must have value between 128 and 10240")
	}
	return nil
}

func checkRuntime(v string) error {
	if !runtimes[v] {
		return invalidParam("The runtime parameter of %s is not supported by awssim; supported: provided.al2023, provided.al2, provided, go1.x", v)
	}
	return nil
}

func checkRole(v string) error {
	if !roleRE.MatchString(v) {
		return validation(v, "role", "Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+")
	}
	return nil
}

func checkEnv(e *environment) error {
	if e == nil {
		return nil
	}
	var reserved []string
	for _, k := range reservedEnv {
		if _, ok := e.Variables[k]; ok {
			reserved = append(reserved, k)
		}
	}
	if len(reserved) > 0 {
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(reserved, ", "))
	}
	size := 0
	for k, v := range e.Variables {
		if !envRE.MatchString(k) {
			return validation(k, "environment.variables", "Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+")
		}
		size += len(k) + len(v)
	}
	if size > 4096 {
		return invalidParam("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %d", size)
	}
	return nil
}

// parseName accepts what the API accepts in {FunctionName}: a name, a
// partial ARN (account:function:name) or a full ARN, any of them possibly
// with a :qualifier. It returns the plain name and the qualifier.
func parseName(s string) (name, qualifier string, err error) {
	parts := strings.Split(s, ":")
	switch {
	case len(parts) <= 2 && !strings.HasPrefix(s, "arn:"):
		name = parts[0]
		if len(parts) == 2 {
			qualifier = parts[1]
		}
	case len(parts) >= 3 && len(parts) <= 4 && parts[1] == "function":
		name = parts[2]
		if len(parts) == 4 {
			qualifier = parts[3]
		}
	case len(parts) >= 7 && len(parts) <= 8 && parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
		name = parts[6]
		if len(parts) == 8 {
			qualifier = parts[7]
		}
	default:
		return "", "", validation(s, "functionName", "Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?")
	}
	if !nameRE.MatchString(name) {
		return "", "", validation(s, "functionName", "Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ (1 to 64 characters)")
	}
	return name, qualifier, nil
}

func functionARN(region, account, name string) string {
	return fmt.Sprintf("arn:aws:lambda:%s:%s:function:%s", region, account, name)
}
