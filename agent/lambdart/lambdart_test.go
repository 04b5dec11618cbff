package lambdart_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sockerless/sockerless/agent/lambdart"
	"github.com/sockerless/sockerless/agent/proto"
)

// runtimeAPI serves the Runtime API's four routes over real HTTP, handing
// out queued events and recording what the runtime posts. (The real
// simulator's Runtime API is exercised end to end in agent/cli; this
// one can hand out payloads and deadlines the simulator would not.)
type runtimeAPI struct {
	events chan apiEvent
	posts  chan apiPost
	srv    *httptest.Server
}

type apiEvent struct {
	id       string
	payload  string
	deadline time.Time
}

type apiPost struct {
	path, errorType, body string
}

func newRuntimeAPI(t *testing.T) *runtimeAPI {
	a := &runtimeAPI{events: make(chan apiEvent, 8), posts: make(chan apiPost, 8)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		select {
		case ev := <-a.events:
			w.Header().Set("Lambda-Runtime-Aws-Request-Id", ev.id)
			if !ev.deadline.IsZero() {
				w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(ev.deadline.UnixMilli(), 10))
			}
			io.WriteString(w, ev.payload)
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("POST /2018-06-01/runtime/", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		a.posts <- apiPost{strings.TrimPrefix(r.URL.Path, "/2018-06-01/runtime"), r.Header.Get("Lambda-Runtime-Function-Error-Type"), string(b)}
		w.WriteHeader(http.StatusAccepted)
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *runtimeAPI) addr() string { return strings.TrimPrefix(a.srv.URL, "http://") }

func (a *runtimeAPI) nextPost(t *testing.T) apiPost {
	t.Helper()
	select {
	case p := <-a.posts:
		return p
	case <-time.After(10 * time.Second):
		t.Fatal("the runtime posted nothing")
		return apiPost{}
	}
}

func TestServe(t *testing.T) {
	inv := lambdart.Invocation{ContainerID: "c1", EdgeURL: "ws://edge/agent/v1/connect", Token: "tok",
		Main: proto.ProcessSpec{Args: []string{"sh", "-c", "echo hi"}}}
	invJSON, _ := json.Marshal(inv)
	for _, tc := range []struct {
		name          string
		payload       string
		deadline      time.Duration // from now; 0 for none
		run           func(ctx context.Context, got lambdart.Invocation) (lambdart.Result, error)
		wantPath      string
		wantErrorType string
		wantBody      string
	}{
		{name: "a result is the response",
			payload: string(invJSON), deadline: time.Minute,
			run: func(ctx context.Context, got lambdart.Invocation) (lambdart.Result, error) {
				if _, ok := ctx.Deadline(); !ok {
					return lambdart.Result{}, errors.New("run's context has no deadline")
				}
				if got.ContainerID != "c1" || got.Token != "tok" || strings.Join(got.Main.Args, " ") != "sh -c echo hi" {
					return lambdart.Result{}, errors.New("payload decoded wrong")
				}
				return lambdart.Result{ExitCode: 3}, nil
			},
			wantPath: "/invocation/r1/response", wantBody: `{"exitCode":3}`},
		{name: "a run error is the invocation's error",
			payload: string(invJSON),
			run: func(context.Context, lambdart.Invocation) (lambdart.Result, error) {
				return lambdart.Result{}, errors.New("edge unreachable")
			},
			wantPath: "/invocation/r1/error", wantErrorType: lambdart.ErrorTypeRun, wantBody: `"errorMessage":"edge unreachable"`},
		{name: "the deadline ends the run",
			payload: string(invJSON), deadline: 50 * time.Millisecond,
			run: func(ctx context.Context, _ lambdart.Invocation) (lambdart.Result, error) {
				select {
				case <-ctx.Done():
					return lambdart.Result{}, ctx.Err()
				case <-time.After(10 * time.Second):
					return lambdart.Result{ExitCode: 0}, nil
				}
			},
			wantPath: "/invocation/r1/error", wantErrorType: lambdart.ErrorTypeRun, wantBody: "deadline exceeded"},
		{name: "a payload that is not an invocation is refused without running",
			payload: `[1,2]`,
			run: func(context.Context, lambdart.Invocation) (lambdart.Result, error) {
				return lambdart.Result{}, errors.New("run called")
			},
			wantPath: "/invocation/r1/error", wantErrorType: lambdart.ErrorTypeInvalidPayload, wantBody: "not an invocation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			api := newRuntimeAPI(t)
			ev := apiEvent{id: "r1", payload: tc.payload}
			if tc.deadline != 0 {
				ev.deadline = time.Now().Add(tc.deadline)
			}
			api.events <- ev
			ctx, cancel := context.WithCancel(context.Background())
			served := make(chan error, 1)
			go func() { served <- lambdart.Serve(ctx, api.addr(), nil, tc.run) }()
			p := api.nextPost(t)
			if p.path != tc.wantPath || p.errorType != tc.wantErrorType || !strings.Contains(p.body, tc.wantBody) {
				t.Errorf("posted %+v; want %s type %q body containing %q", p, tc.wantPath, tc.wantErrorType, tc.wantBody)
			}
			// Serve is back at next, waiting; ending ctx ends it.
			cancel()
			if err := <-served; !errors.Is(err, context.Canceled) {
				t.Errorf("Serve = %v, want context.Canceled", err)
			}
		})
	}
}

func TestServeStopsWhenTheRuntimeAPIFails(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "gone", http.StatusInternalServerError)
	}))
	defer srv.Close()
	err := lambdart.Serve(context.Background(), strings.TrimPrefix(srv.URL, "http://"), nil,
		func(context.Context, lambdart.Invocation) (lambdart.Result, error) { return lambdart.Result{}, nil })
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("Serve = %v, want the API's 500", err)
	}
	if err := lambdart.Serve(context.Background(), "", nil, nil); err == nil {
		t.Fatal("Serve without an address succeeded")
	}
}

func TestInitError(t *testing.T) {
	api := newRuntimeAPI(t)
	if err := lambdart.InitError(context.Background(), api.addr(), nil, errors.New("no runtime")); err != nil {
		t.Fatal(err)
	}
	p := api.nextPost(t)
	if p.path != "/init/error" || p.errorType != lambdart.ErrorTypeInit || !strings.Contains(p.body, `"errorMessage":"no runtime"`) {
		t.Errorf("posted %+v", p)
	}
}

func TestParseResponse(t *testing.T) {
	for _, tc := range []struct {
		name          string
		payload       string
		functionError string
		want          lambdart.Result
		wantErr       bool
	}{
		{"a result", `{"exitCode":7}`, "", lambdart.Result{ExitCode: 7}, false},
		{"a function error", `{"errorMessage":"edge unreachable","errorType":"Sockerless.RunFailed"}`, "Unhandled",
			lambdart.Result{ExitCode: -1, Error: "Sockerless.RunFailed: edge unreachable"}, false},
		{"a function error that is not JSON", `killed`, "Unhandled",
			lambdart.Result{ExitCode: -1, Error: "Unhandled: killed"}, false},
		{"a response that is not a result", `"hello"`, "", lambdart.Result{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := lambdart.ParseResponse([]byte(tc.payload), tc.functionError)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseResponse = %+v, %v; want %+v (error %v)", got, err, tc.want, tc.wantErr)
			}
		})
	}
}
