output "functions" {
  description = "Backend → control-plane function name (what the edge invokes)."
  value       = { for b, f in aws_lambda_function.control : b => f.function_name }
}

output "function_arns" {
  description = "Backend → control-plane function ARN."
  value       = { for b, f in aws_lambda_function.control : b => f.arn }
}

output "region" {
  description = "Region everything was deployed in."
  value       = local.region
}

output "table_name" {
  description = "DynamoDB table holding the state."
  value       = aws_dynamodb_table.state.name
}

output "agent_repository_url" {
  description = "ECR repository to push the agent image to (tag latest)."
  value       = aws_ecr_repository.agent.repository_url
}

output "workload_repository_url" {
  description = "ECR repository the lambda backend pushes workload images to."
  value       = aws_ecr_repository.workloads.repository_url
}

output "cluster_name" {
  description = "ECS cluster the ecs backend runs tasks in."
  value       = aws_ecs_cluster.this.name
}

output "log_group" {
  description = "Log group of the workloads' output."
  value       = aws_cloudwatch_log_group.workloads.name
}

output "file_system_id" {
  description = "EFS file system holding the named volumes (empty when volumes is false)."
  value       = try(aws_efs_file_system.volumes[0].id, "")
}
