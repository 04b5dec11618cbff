# Two identities. The control plane (the functions serving Docker calls)
# reads and writes its state, runs and cancels Cloud Run jobs, reads
# workload logs, reads the agent image and pushes to the workloads
# repository, and runs workloads as the workload account. The workload
# account (the jobs, the agent inside them) writes its logs; nothing
# else (Cloud Run's own service agent pulls the images).

resource "google_service_account" "control_plane" {
  project      = var.project
  account_id   = "${var.name}-cp"
  display_name = "Sockerless control plane"

  depends_on = [google_project_service.api]
}

resource "google_service_account" "workload" {
  project      = var.project
  account_id   = "${var.name}-workload"
  display_name = "Sockerless workloads"

  depends_on = [google_project_service.api]
}

locals {
  control_plane = "serviceAccount:${google_service_account.control_plane.email}"
  workload      = "serviceAccount:${google_service_account.workload.email}"

  # Project-wide roles: Firestore, Cloud Run and Logging grant these on
  # the project only.
  project_roles = {
    "cp-datastore" = { member = local.control_plane, role = "roles/datastore.user" }
    "cp-run"       = { member = local.control_plane, role = "roles/run.developer" }
    "cp-logs"      = { member = local.control_plane, role = "roles/logging.viewer" }
    "wl-logs"      = { member = local.workload, role = "roles/logging.logWriter" }
  }
}

resource "google_project_iam_member" "role" {
  for_each = local.project_roles

  project = var.project
  role    = each.value.role
  member  = each.value.member
}

# The control plane starts jobs that run as the workload account.
resource "google_service_account_iam_member" "control_plane_acts_as_workload" {
  service_account_id = google_service_account.workload.name
  role               = "roles/iam.serviceAccountUser"
  member             = local.control_plane
}

# The control plane reads the agent image (to add it to user images) and
# pushes the images it builds; nobody else gets either repository.
resource "google_artifact_registry_repository_iam_member" "control_plane_reads_agent" {
  project    = var.project
  location   = var.region
  repository = google_artifact_registry_repository.agent.repository_id
  role       = "roles/artifactregistry.reader"
  member     = local.control_plane
}

resource "google_artifact_registry_repository_iam_member" "control_plane_pushes_workloads" {
  project    = var.project
  location   = var.region
  repository = google_artifact_registry_repository.workloads.repository_id
  role       = "roles/artifactregistry.writer"
  member     = local.control_plane
}
