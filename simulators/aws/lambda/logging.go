package lambda

import "regexp"

// loggingInput is LoggingConfig as CreateFunction and
// UpdateFunctionConfiguration take it.
type loggingInput struct {
	LogFormat           string `json:"LogFormat"`
	LogGroup            string `json:"LogGroup"`
	ApplicationLogLevel string `json:"ApplicationLogLevel"`
	SystemLogLevel      string `json:"SystemLogLevel"`
}

var logGroupRE = regexp.MustCompile(`^[\.\-_/#A-Za-z0-9]{1,512}$`)

// applyLogging validates in and merges it into the stored LoggingConfig.
// Only Text logs are simulated; JSON (structured) logs are refused.
func applyLogging(cur map[string]string, in *loggingInput) (map[string]string, error) {
	out := map[string]string{}
	for k, v := range cur {
		out[k] = v
	}
	if in == nil {
		return out, nil
	}
	switch in.LogFormat {
	case "", "Text":
	case "JSON":
		return nil, invalidParam("awssim: LogFormat JSON is not simulated; use Text")
	default:
		return nil, invalidParam("1 validation error detected: Value '%s' at 'loggingConfig.logFormat' failed to satisfy constraint: Member must satisfy enum value set: [JSON, Text]", in.LogFormat)
	}
	if in.ApplicationLogLevel != "" || in.SystemLogLevel != "" {
		return nil, invalidParam("Logging level configuration is only supported for functions using the JSON log format.")
	}
	if in.LogGroup != "" {
		if !logGroupRE.MatchString(in.LogGroup) {
			return nil, invalidParam("1 validation error detected: Value '%s' at 'loggingConfig.logGroup' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+", in.LogGroup)
		}
		out["LogGroup"] = in.LogGroup
	}
	out["LogFormat"] = "Text"
	return out, nil
}

// logStream names an instance's log stream: in the function's own group
// /aws/lambda/<name> it is date/[$LATEST]id; in a custom group, shared
// by several functions, the function's name comes after the date.
func logStream(date, group, function, id string) string {
	if group == "/aws/lambda/"+function {
		return date + "/[$LATEST]" + id
	}
	return date + "/" + function + "[$LATEST]" + id
}
