output "project" {
  value = var.project
}

output "region" {
  value = var.region
}

output "firestore_database" {
  description = "The state database's ID (SOCKERLESS_FIRESTORE_DATABASE)."
  value       = google_firestore_database.state.name
}

output "collections" {
  description = "backend → the Firestore collection its state store uses."
  value       = { for b, f in google_firestore_field.ttl : b => f.collection }
}

output "agent_repository_url" {
  description = "Where the agent image goes: <location>-docker.pkg.dev/<project>/<repository>."
  value       = google_artifact_registry_repository.agent.registry_uri
}

output "workload_repository_url" {
  value = google_artifact_registry_repository.workloads.registry_uri
}

output "function_source_bucket" {
  value = google_storage_bucket.functions.name
}

output "control_plane_service_account" {
  description = "The email the control plane runs as; the edge's callers need roles/run.invoker on its functions."
  value       = google_service_account.control_plane.email
}

output "workload_service_account" {
  value = google_service_account.workload.email
}
