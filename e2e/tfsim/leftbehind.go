package tfsim

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/efs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// LeftBehind lists every resource the simulator still holds, of the kinds
// the module and the backends create: tables, functions, clusters and
// their tasks, active task definitions, repositories, log groups, roles,
// EFS file systems and their access points and mount targets. After Destroy, on a simulator of the deployment's own, it must
// be empty. Each entry reads "<kind> <name>".
func (d *Deployment) LeftBehind(ctx context.Context) ([]string, error) {
	var found []string
	add := func(kind string, names ...string) {
		for _, n := range names {
			found = append(found, kind+" "+n)
		}
	}
	var errs []error
	for _, list := range []func(context.Context, aws.Config, func(string, ...string)) error{
		listTables, listFunctions, listECS, listRepositories, listLogGroups, listRoles, listFileSystems,
	} {
		errs = append(errs, list(ctx, d.Config, add))
	}
	return found, errors.Join(errs...)
}

func listTables(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	p := dynamodb.NewListTablesPaginator(dynamodb.NewFromConfig(cfg), &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		add("dynamodb table", page.TableNames...)
	}
	return nil
}

func listFunctions(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	p := lambda.NewListFunctionsPaginator(lambda.NewFromConfig(cfg), &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range page.Functions {
			add("lambda function", aws.ToString(f.FunctionName))
		}
	}
	return nil
}

func listECS(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	c := ecs.NewFromConfig(cfg)
	clusters := ecs.NewListClustersPaginator(c, &ecs.ListClustersInput{})
	for clusters.HasMorePages() {
		page, err := clusters.NextPage(ctx)
		if err != nil {
			return err
		}
		add("ecs cluster", page.ClusterArns...)
		for _, arn := range page.ClusterArns {
			tasks := ecs.NewListTasksPaginator(c, &ecs.ListTasksInput{Cluster: aws.String(arn)})
			for tasks.HasMorePages() {
				tp, err := tasks.NextPage(ctx)
				if err != nil {
					return err
				}
				add("ecs task", tp.TaskArns...)
			}
		}
	}
	defs := ecs.NewListTaskDefinitionsPaginator(c, &ecs.ListTaskDefinitionsInput{Status: ecstypes.TaskDefinitionStatusActive})
	for defs.HasMorePages() {
		page, err := defs.NextPage(ctx)
		if err != nil {
			return err
		}
		add("ecs task definition", page.TaskDefinitionArns...)
	}
	return nil
}

func listRepositories(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	p := ecr.NewDescribeRepositoriesPaginator(ecr.NewFromConfig(cfg), &ecr.DescribeRepositoriesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.Repositories {
			add("ecr repository", aws.ToString(r.RepositoryName))
		}
	}
	return nil
}

func listLogGroups(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(cloudwatchlogs.NewFromConfig(cfg), &cloudwatchlogs.DescribeLogGroupsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, g := range page.LogGroups {
			add("log group", aws.ToString(g.LogGroupName))
		}
	}
	return nil
}

func listRoles(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	p := iam.NewListRolesPaginator(iam.NewFromConfig(cfg), &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, r := range page.Roles {
			add("iam role", aws.ToString(r.RoleName))
		}
	}
	return nil
}

func listFileSystems(ctx context.Context, cfg aws.Config, add func(string, ...string)) error {
	c := efs.NewFromConfig(cfg)
	p := efs.NewDescribeFileSystemsPaginator(c, &efs.DescribeFileSystemsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range page.FileSystems {
			id := aws.ToString(f.FileSystemId)
			add("efs file system", id)
			mts, err := c.DescribeMountTargets(ctx, &efs.DescribeMountTargetsInput{FileSystemId: f.FileSystemId})
			if err != nil {
				return err
			}
			for _, m := range mts.MountTargets {
				add("efs mount target", aws.ToString(m.MountTargetId))
			}
			aps := efs.NewDescribeAccessPointsPaginator(c, &efs.DescribeAccessPointsInput{FileSystemId: f.FileSystemId})
			for aps.HasMorePages() {
				ap, err := aps.NextPage(ctx)
				if err != nil {
					return err
				}
				for _, a := range ap.AccessPoints {
					add("efs access point", aws.ToString(a.AccessPointId))
				}
			}
		}
	}
	return nil
}
