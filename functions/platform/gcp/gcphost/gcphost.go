// Package gcphost is the function host's GCP wiring: the Firestore
// state store, and functions-framework-go as the invocation adapter, so
// the control plane runs as a Cloud Run function (an HTTP function; its
// URL is what the edge's gcp transport posts each call to). Main is the
// whole of a GCP backend's bootstrap.
package gcphost

import (
	"context"
	"fmt"

	fsdk "cloud.google.com/go/firestore"
	"github.com/google/go-containerregistry/pkg/authn"
	"google.golang.org/api/option"

	"github.com/sockerless/sockerless/functions/core"
	"github.com/sockerless/sockerless/functions/host"
	"github.com/sockerless/sockerless/functions/state/firestore"
)

// Environment variables every GCP function reads, besides host's.
// FIRESTORE_EMULATOR_HOST (the simulator or gcloud's emulator) and
// Application Default Credentials are honoured by the SDK.
const (
	// EnvProject is the project holding the Firestore database; when it
	// is unset the SDK finds it from the credentials or the metadata
	// server.
	EnvProject = "GOOGLE_CLOUD_PROJECT"
	// EnvDatabase names the Firestore database ("(default)" unless set).
	EnvDatabase = "SOCKERLESS_FIRESTORE_DATABASE"
	// EnvCollection is the root collection of the state: each backend's
	// records are the collection <root>/<backend>/records, which the
	// database's TTL policy (collection group "records", field "exp")
	// sweeps.
	EnvCollection = "SOCKERLESS_FIRESTORE_COLLECTION"
)

// Defaults of the settings above.
const (
	DefaultCollection = "sockerless"
	// RecordsGroup is the collection group of every backend's records,
	// the one a TTL policy names.
	RecordsGroup = "records"
)

// EnvRegistryHosts lists, comma-separated, registry hosts that serve
// Artifact Registry under another name (the simulator's host:port),
// logged in to with access tokens like Artifact Registry's own hosts.
const EnvRegistryHosts = "SOCKERLESS_REGISTRY_HOSTS"

// Env is what a GCP compute driver is built from: the settings every
// function shares, the project, the registries' keychain (Artifact
// Registry logged in) and the Google API clients' options.
type Env struct {
	host.Settings
	Project  string
	Keychain authn.Keychain
	// ClientOptions point the Google API clients at the simulator when
	// EnvAPIEndpoint is set.
	ClientOptions []option.ClientOption
}

// Workloads are what runs a backend's containers and holds their images.
type Workloads struct {
	Compute core.Compute
	Images  core.Images
	// About says, in docker info, where the workloads run ({"Region",
	// "us-central1"}).
	About [][2]string
}

// Function is one GCP backend as a control-plane function: its name and
// how its workloads are built.
type Function struct {
	Name      string
	Workloads func(ctx context.Context, env Env) (Workloads, error)
}

// Main is the bootstrap of f: built once per cold start, each HTTP
// request's call.Call served by it.
func Main(f Function) { host.Main(f.Name, f.Build, Serve) }

// Build builds f's parts from the settings and the GCP environment.
func (f Function) Build(ctx context.Context, s host.Settings) (host.Parts, error) {
	project := s.Getenv(EnvProject)
	if project == "" {
		project = fsdk.DetectProjectID
	}
	database := s.Getenv(EnvDatabase)
	if database == "" {
		database = fsdk.DefaultDatabaseID
	}
	client, err := fsdk.NewClientWithDatabase(ctx, project, database)
	if err != nil {
		return host.Parts{}, fmt.Errorf("firestore client for project %q, database %q (set %s, or FIRESTORE_EMULATOR_HOST for an emulator): %w", project, database, EnvProject, err)
	}
	store, err := firestore.New(client, StatePath(s.Getenv(EnvCollection), f.Name))
	if err != nil {
		client.Close()
		return host.Parts{}, err
	}
	env := Env{Settings: s, Project: project, ClientOptions: ClientOptions(s.Getenv(EnvAPIEndpoint)),
		Keychain: &ARKeychain{Hosts: s.RegistryHosts(s.Getenv(EnvRegistryHosts))}}
	w, err := f.Workloads(ctx, env)
	if err != nil {
		client.Close()
		return host.Parts{}, err
	}
	return host.Parts{Name: f.Name, Store: store, Compute: w.Compute, Images: w.Images, About: w.About}, nil
}

// StatePath is the collection holding backend's records under root
// ("" for DefaultCollection): each backend's records apart, as on AWS
// each has its own partition of the table.
func StatePath(root, backend string) string {
	if root == "" {
		root = DefaultCollection
	}
	return root + "/" + backend + "/" + RecordsGroup
}
