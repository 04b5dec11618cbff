package tfsim

import (
	"context"
	"errors"

	"google.golang.org/api/artifactregistry/v1"
	crm "google.golang.org/api/cloudresourcemanager/v1"
	"google.golang.org/api/iam/v1"
	"google.golang.org/api/serviceusage/v1"
	"google.golang.org/api/storage/v1"
)

// LeftBehind lists every resource the simulator still holds in the
// deployment's project, of the kinds the gcp module creates: enabled
// services, Firestore databases, Artifact Registry repositories in its
// region, buckets, service accounts and project IAM bindings. After
// Destroy it must be empty. Each entry reads "<kind> <name>".
func (d *GCPDeployment) LeftBehind(ctx context.Context) ([]string, error) {
	c, err := d.Clients(ctx)
	if err != nil {
		return nil, err
	}
	var found []string
	add := func(kind, name string) { found = append(found, kind+" "+name) }
	project := "projects/" + d.Outputs.Project
	errs := []error{
		c.Usage.Services.List(project).Filter("state:ENABLED").Pages(ctx, func(r *serviceusage.ListServicesResponse) error {
			for _, s := range r.Services {
				add("enabled service", s.Config.Name)
			}
			return nil
		}),
		c.Registry.Projects.Locations.Repositories.List(project+"/locations/"+d.Outputs.Region).Pages(ctx,
			func(r *artifactregistry.ListRepositoriesResponse) error {
				for _, repo := range r.Repositories {
					add("artifact registry repository", repo.Name)
				}
				return nil
			}),
		c.Storage.Buckets.List(d.Outputs.Project).Pages(ctx, func(r *storage.Buckets) error {
			for _, b := range r.Items {
				add("bucket", b.Name)
			}
			return nil
		}),
		c.IAM.Projects.ServiceAccounts.List(project).Pages(ctx, func(r *iam.ListServiceAccountsResponse) error {
			for _, a := range r.Accounts {
				add("service account", a.Email)
			}
			return nil
		}),
	}
	if dbs, err := c.Firestore.Projects.Databases.List(project).Do(); err != nil {
		errs = append(errs, err)
	} else {
		for _, db := range dbs.Databases {
			add("firestore database", db.Name)
		}
	}
	if p, err := c.Projects.Projects.GetIamPolicy(d.Outputs.Project, &crm.GetIamPolicyRequest{}).Do(); err != nil {
		errs = append(errs, err)
	} else {
		for _, b := range p.Bindings {
			for _, m := range b.Members {
				add("project binding", b.Role+" "+m)
			}
		}
	}
	return found, errors.Join(errs...)
}
