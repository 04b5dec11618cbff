output "endpoint" {
  value = var.endpoint
}

output "project" {
  value = module.sockerless.project
}

output "region" {
  value = module.sockerless.region
}

output "firestore_database" {
  value = module.sockerless.firestore_database
}

output "collections" {
  value = module.sockerless.collections
}

output "agent_repository_url" {
  value = module.sockerless.agent_repository_url
}

output "workload_repository_url" {
  value = module.sockerless.workload_repository_url
}

output "function_source_bucket" {
  value = module.sockerless.function_source_bucket
}

output "control_plane_service_account" {
  value = module.sockerless.control_plane_service_account
}

output "workload_service_account" {
  value = module.sockerless.workload_service_account
}
