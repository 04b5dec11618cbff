# The Sockerless control plane's foundations on GCP: the APIs it calls,
# the Firestore database holding its state (a TTL policy per backend's
# collection), the Artifact Registry repositories for the agent image and
# for the images it builds, a bucket for function source, and the two
# service accounts with only the roles they need. The control-plane
# functions and Cloud Run services come later (terraform/README.md).

locals {
  api_ids = toset(var.apis)
}

resource "google_project_service" "api" {
  for_each = local.api_ids

  project                    = var.project
  service                    = each.value
  disable_on_destroy         = var.disable_apis_on_destroy
  disable_dependent_services = false
}

# State: one database; each backend's store keeps its records in the
# collection <name>-<backend>, with the expiry in the field "exp"
# (functions/state/firestore), which a TTL policy names so that Firestore
# sweeps expired records. The field is never queried: its indexes are
# dropped (an empty index_config), as Google advises for TTL fields.
resource "google_firestore_database" "state" {
  project                 = var.project
  name                    = var.name
  location_id             = var.firestore_location
  type                    = "FIRESTORE_NATIVE"
  delete_protection_state = "DELETE_PROTECTION_DISABLED"
  deletion_policy         = "DELETE"

  depends_on = [google_project_service.api]
}

resource "google_firestore_field" "ttl" {
  for_each = var.backends

  project    = var.project
  database   = google_firestore_database.state.name
  collection = "${var.name}-${each.key}"
  field      = "exp"

  ttl_config {}
  index_config {}
}

resource "google_artifact_registry_repository" "agent" {
  project       = var.project
  location      = var.region
  repository_id = "${var.name}-agent"
  format        = "DOCKER"
  description   = "The Sockerless agent image (push :latest)."
  labels        = var.labels

  depends_on = [google_project_service.api]
}

resource "google_artifact_registry_repository" "workloads" {
  project       = var.project
  location      = var.region
  repository_id = "${var.name}-workloads"
  format        = "DOCKER"
  description   = "Images the control plane builds: the user's image with the agent added."
  labels        = var.labels

  depends_on = [google_project_service.api]
}

resource "google_storage_bucket" "functions" {
  project                     = var.project
  name                        = "${var.project}-${var.name}-functions"
  location                    = upper(var.region)
  uniform_bucket_level_access = true
  force_destroy               = true
  labels                      = var.labels

  depends_on = [google_project_service.api]
}
