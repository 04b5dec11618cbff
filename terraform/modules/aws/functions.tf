locals {
  env_common = {
    SOCKERLESS_TABLE       = aws_dynamodb_table.state.name
    SOCKERLESS_SECRET      = var.secret
    SOCKERLESS_AGENT_IMAGE = "${aws_ecr_repository.agent.repository_url}:latest"
    SOCKERLESS_AGENT_URL   = var.agent_url
    SOCKERLESS_LOG_GROUP   = aws_cloudwatch_log_group.workloads.name
    # Registries other than ECR's own hosts that take ECR tokens (the
    # simulator's); empty on AWS.
    SOCKERLESS_REGISTRY_HOSTS = join(",", var.registry_hosts)
  }

  env_backend = {
    ecs = {
      SOCKERLESS_ECS_CLUSTER          = aws_ecs_cluster.this.name
      SOCKERLESS_ECS_SUBNETS          = join(",", var.subnets)
      SOCKERLESS_ECS_SECURITY_GROUPS  = join(",", var.security_groups)
      SOCKERLESS_ECS_ASSIGN_PUBLIC_IP = tostring(var.assign_public_ip)
      SOCKERLESS_ECS_EXECUTION_ROLE   = aws_iam_role.execution.arn
      # Named volumes are access points on this file system.
      SOCKERLESS_EFS_FILE_SYSTEM = try(aws_efs_file_system.volumes[0].id, "")
    }
    lambda = {
      SOCKERLESS_LAMBDA_ROLE         = aws_iam_role.workload.arn
      SOCKERLESS_WORKLOAD_REPOSITORY = aws_ecr_repository.workloads.repository_url
      # The control plane's IAM policy only covers functions named so.
      SOCKERLESS_FUNCTION_PREFIX = local.workload_function_prefix
      # A function mounts a volume from the VPC of subnets: no subnets,
      # no volumes on this backend.
      SOCKERLESS_EFS_FILE_SYSTEM        = length(var.subnets) > 0 ? try(aws_efs_file_system.volumes[0].id, "") : ""
      SOCKERLESS_LAMBDA_SUBNETS         = join(",", var.subnets)
      SOCKERLESS_LAMBDA_SECURITY_GROUPS = join(",", var.security_groups)
    }
  }
}

resource "aws_lambda_function" "control" {
  for_each = local.functions

  function_name    = each.value
  role             = aws_iam_role.control.arn
  runtime          = "provided.al2023"
  handler          = "bootstrap"
  architectures    = ["x86_64"]
  filename         = var.function_zips[each.key]
  source_code_hash = filebase64sha256(var.function_zips[each.key])
  timeout          = 900
  memory_size      = 512

  environment {
    variables = merge(local.env_common, local.env_backend[each.key], var.function_environment)
  }

  tags = var.tags

  # The log group must exist (with its retention) before the first cold
  # start writes to it, and the role must carry its policy before the
  # function's first call uses it.
  depends_on = [aws_cloudwatch_log_group.functions, aws_iam_role_policy.control]
}
