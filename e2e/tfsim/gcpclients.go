package tfsim

import (
	"context"
	"errors"

	"google.golang.org/api/artifactregistry/v1"
	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/firestore/v1"
	"google.golang.org/api/iam/v1"
	"google.golang.org/api/option"
	"google.golang.org/api/serviceusage/v1"
	"google.golang.org/api/storage/v1"
)

// GCPClients are Google's Go clients of every API the gcp module uses,
// pointed at the deployment's simulator.
type GCPClients struct {
	Usage     *serviceusage.Service
	Firestore *firestore.Service
	Registry  *artifactregistry.Service
	Storage   *storage.Service
	IAM       *iam.Service
	Projects  *crm.Service
}

// Clients makes the clients: each API's endpoint on the simulator (with
// path, for Storage's storage/v1), no credentials.
func (d *GCPDeployment) Clients(ctx context.Context) (*GCPClients, error) {
	at := func(path string) []option.ClientOption {
		return []option.ClientOption{option.WithEndpoint(d.Endpoint + "/" + path), option.WithoutAuthentication()}
	}
	var c GCPClients
	var errs [6]error
	c.Usage, errs[0] = serviceusage.NewService(ctx, at("")...)
	c.Firestore, errs[1] = firestore.NewService(ctx, at("")...)
	c.Registry, errs[2] = artifactregistry.NewService(ctx, at("")...)
	c.Storage, errs[3] = storage.NewService(ctx, at("storage/v1/")...)
	c.IAM, errs[4] = iam.NewService(ctx, at("")...)
	c.Projects, errs[5] = crm.NewService(ctx, at("")...)
	return &c, errors.Join(errs[:]...)
}
