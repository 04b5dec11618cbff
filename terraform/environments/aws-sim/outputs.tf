output "endpoint" {
  description = "The simulator endpoint the edge and SDKs should use (AWS_ENDPOINT_URL)."
  value       = var.endpoint
}

output "functions" { value = module.sockerless.functions }
output "function_arns" { value = module.sockerless.function_arns }
output "region" { value = module.sockerless.region }
output "table_name" { value = module.sockerless.table_name }
output "agent_repository_url" { value = module.sockerless.agent_repository_url }
output "workload_repository_url" { value = module.sockerless.workload_repository_url }
output "cluster_name" { value = module.sockerless.cluster_name }
output "log_group" { value = module.sockerless.log_group }
output "file_system_id" { value = module.sockerless.file_system_id }
