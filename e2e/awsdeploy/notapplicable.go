package awsdeploy

import "github.com/sockerless/sockerless/e2e/cloud"

var both = []string{"ecs", "lambda"}

// NotApplicable is every scenario of the local-mode suite that cannot
// pass on the ECS or the Lambda backend.
func (Cloud) NotApplicable() []cloud.NotApplicable {
	return []cloud.NotApplicable{
		{Scenario: "image_prune_dangling", Backends: both,
			Why:   "docker import: the backends have no image store, images live in a registry (ECR)",
			Error: "docker import is not supported by the"},
		{Scenario: "import_and_run", Backends: both,
			Why:   "docker import: the backends have no image store, images live in a registry (ECR)",
			Error: "docker import is not supported by the"},
		{Scenario: "save_load_round_trip", Backends: both,
			Why:   "docker save and load: the backends have no image store, images live in a registry (ECR)",
			Error: "docker save is not supported by the"},
		{Scenario: "run_named_volume", Backends: []string{"lambda"},
			Why:   "volumes: a Lambda function mounts one file system, read-write, under /mnt only; these mount at /data and read-only",
			Error: "a Lambda function mounts one EFS file system"},
		{Scenario: "volume_in_use", Backends: []string{"lambda"},
			Why:   "volumes: a Lambda function mounts one file system under /mnt only; this one mounts at /data",
			Error: "a Lambda function mounts one EFS file system"},
		{Scenario: "diff_export_commit", Backends: both,
			Why:   "docker diff, export and commit: the containers' filesystems are not reachable from the control plane",
			Error: "docker diff is not supported by the"},
		{Scenario: "commit_replaced_dir", Backends: both,
			Why:   "docker commit: the containers' filesystems are not reachable from the control plane",
			Error: "docker commit is not supported by the"},
		{Scenario: "cp_compressed_archive_stopped", Backends: both,
			Why:   "docker cp into a created container: its filesystem is not reachable from the control plane until it runs",
			Error: "must be a directory"},
		{Scenario: "container_prune_space", Backends: both,
			Why:    "prune's SpaceReclaimed: a task's or function's writable layer is not measured by the backends, so prune reports 0B",
			Stdout: "Total reclaimed space: 0B"},
		{Scenario: "port_publish", Backends: both,
			Why:   "published ports: tasks and functions cannot be reached from the client's host",
			Error: "publishing ports is not supported by the"},
		{Scenario: "port_publish_all_and_loopback", Backends: both,
			Why:   "published ports: tasks and functions cannot be reached from the client's host",
			Error: "publishing ports is not supported by the"},
		{Scenario: "port_range_and_bad_bindings", Backends: both,
			Why:   "published ports: tasks and functions cannot be reached from the client's host",
			Error: "publishing ports is not supported by the"},
	}
}
