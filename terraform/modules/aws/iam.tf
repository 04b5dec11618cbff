# Three roles: the control-plane functions', the ECS task execution role
# (pulls from ECR, writes awslogs), and the role of the workload functions
# the lambda backend creates. Policies are inline so that destroy leaves
# no managed policy behind.

locals {
  assume = {
    for svc in ["lambda", "ecs-tasks"] : svc => jsonencode({
      Version = "2012-10-17"
      Statement = [{
        Effect    = "Allow"
        Principal = { Service = "${svc}.amazonaws.com" }
        Action    = "sts:AssumeRole"
      }]
    })
  }
  repositories          = [aws_ecr_repository.agent.arn, aws_ecr_repository.workloads.arn]
  workload_function_arn = "arn:${local.partition}:lambda:${local.region}:${local.account}:function:${local.workload_functions}"
  # Workload tasks and workload functions (LoggingConfig) all write to
  # the one workloads group, so no group is made per container.
  workload_log_groups = ["${aws_cloudwatch_log_group.workloads.arn}:*"]
}

resource "aws_iam_role" "control" {
  name               = "${var.name}-control-plane"
  assume_role_policy = local.assume["lambda"]
  tags               = var.tags
}

resource "aws_iam_role_policy" "control" {
  name = "sockerless-control-plane"
  role = aws_iam_role.control.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid    = "State"
        Effect = "Allow"
        Action = [
          "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
          "dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchGetItem", "dynamodb:BatchWriteItem",
          "dynamodb:TransactWriteItems", "dynamodb:ConditionCheckItem", "dynamodb:DescribeTable",
        ]
        Resource = [aws_dynamodb_table.state.arn, "${aws_dynamodb_table.state.arn}/index/*"]
      },
      {
        Sid      = "Tasks"
        Effect   = "Allow"
        Action   = ["ecs:RunTask", "ecs:StopTask", "ecs:DescribeTasks", "ecs:ListTasks"]
        Resource = "*"
        Condition = {
          ArnEquals = { "ecs:cluster" = aws_ecs_cluster.this.arn }
        }
      },
      {
        # Task definitions are not resources IAM can scope before they exist.
        Sid    = "TaskDefinitions"
        Effect = "Allow"
        Action = [
          "ecs:RegisterTaskDefinition", "ecs:DeregisterTaskDefinition", "ecs:DeleteTaskDefinitions",
          "ecs:DescribeTaskDefinition", "ecs:TagResource",
        ]
        Resource = "*"
      },
      {
        # Named volumes: an access point each on the volumes' file system
        # (access points are not resources IAM can scope before they exist).
        Sid    = "Volumes"
        Effect = "Allow"
        Action = [
          "elasticfilesystem:CreateAccessPoint", "elasticfilesystem:DeleteAccessPoint",
          "elasticfilesystem:DescribeAccessPoints", "elasticfilesystem:TagResource",
          # A workload function with a volume is made in the VPC.
          "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs",
        ]
        Resource = "*"
      },
      {
        Sid      = "PassWorkloadRoles"
        Effect   = "Allow"
        Action   = "iam:PassRole"
        Resource = [aws_iam_role.execution.arn, aws_iam_role.workload.arn]
      },
      {
        Sid      = "OwnLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = [for g in aws_cloudwatch_log_group.functions : "${g.arn}:*"]
      },
      {
        # docker logs reads the workloads' output; docker rm deletes a
        # task's streams.
        Sid    = "WorkloadLogs"
        Effect = "Allow"
        Action = [
          "logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:DeleteLogStream",
        ]
        Resource = local.workload_log_groups
      },
      {
        Sid      = "RegistryLogin"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        # Pull the agent image, push the workload images the lambda backend
        # builds; Get/SetRepositoryPolicy let Lambda grant itself pulls.
        Sid    = "Images"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage",
          "ecr:DescribeImages", "ecr:ListImages", "ecr:BatchDeleteImage",
          "ecr:GetRepositoryPolicy", "ecr:SetRepositoryPolicy",
        ]
        Resource = local.repositories
      },
      {
        Sid    = "WorkloadFunctions"
        Effect = "Allow"
        Action = [
          "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
          "lambda:GetFunctionConfiguration", "lambda:InvokeFunction",
          "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:TagResource",
        ]
        Resource = local.workload_function_arn
      },
    ]
  })
}

# What the AWS managed AmazonECSTaskExecutionRolePolicy grants, inline and
# limited to this deployment's repositories and log group.
resource "aws_iam_role" "execution" {
  name               = "${var.name}-ecs-execution"
  assume_role_policy = local.assume["ecs-tasks"]
  tags               = var.tags
}

resource "aws_iam_role_policy" "execution" {
  name = "sockerless-ecs-execution"
  role = aws_iam_role.execution.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Effect   = "Allow"
        Action   = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
        Resource = local.repositories
      },
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${aws_cloudwatch_log_group.workloads.arn}:*"
      },
    ]
  })
}

# The workload functions only write their logs; the agent inside reaches
# the edge over the network, not through AWS APIs.
resource "aws_iam_role" "workload" {
  name               = "${var.name}-workload"
  assume_role_policy = local.assume["lambda"]
  tags               = var.tags
}

resource "aws_iam_role_policy" "workload" {
  name = "sockerless-workload"
  role = aws_iam_role.workload.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = local.workload_log_groups
      },
      {
        # A function with a volume runs in the VPC (its network interfaces)
        # and mounts the volumes' file system.
        Effect = "Allow"
        Action = [
          "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface",
          "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses",
          "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite",
        ]
        Resource = "*"
      },
    ]
  })
}
