# The Sockerless control plane on AWS: one Lambda function per backend
# serving the Docker API calls the edge invokes it with, state in one
# DynamoDB table, containers as ECS Fargate tasks (ecs) or Lambda
# functions (lambda), images in ECR, output in CloudWatch Logs.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  region    = data.aws_region.current.region
  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition

  # backend → control-plane function name.
  functions = { for b in var.backends : b => "${var.name}-${b}" }

  # Workload functions the lambda backend creates are named "<name>-w-<id>".
  workload_function_prefix = "${var.name}-w-"
  workload_functions       = "${local.workload_function_prefix}*"
  workload_log_group       = "/sockerless/${var.name}"

}

# State: the single-table design of functions/state/dynamo (partition key
# pk, sort key sk, expiry in ttl as epoch seconds).
resource "aws_dynamodb_table" "state" {
  name         = var.name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "ttl"
    enabled        = true
  }

  tags = var.tags
}

resource "aws_ecs_cluster" "this" {
  name = var.name
  tags = var.tags
}

# The agent image holds the agent binary; ECS tasks run it as a sidecar
# that copies it into a shared volume, the lambda backend appends it as a
# layer. Pushing it is the Makefile's job, not Terraform's.
resource "aws_ecr_repository" "agent" {
  name                 = "${var.name}-agent"
  image_tag_mutability = "MUTABLE"
  force_delete         = true
  tags                 = var.tags
}

# Images the lambda backend builds (user image + agent layer) for its
# workload functions.
resource "aws_ecr_repository" "workloads" {
  name                 = "${var.name}-workloads"
  image_tag_mutability = "MUTABLE"
  force_delete         = true
  tags                 = var.tags
}

# Created here rather than by Lambda on first write so that retention
# applies and destroy removes them.
resource "aws_cloudwatch_log_group" "functions" {
  for_each          = local.functions
  name              = "/aws/lambda/${each.value}"
  retention_in_days = var.log_retention_days
  tags              = var.tags
}

resource "aws_cloudwatch_log_group" "workloads" {
  name              = local.workload_log_group
  retention_in_days = var.log_retention_days
  tags              = var.tags
}
