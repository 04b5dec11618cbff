# The gcp module applied to the Sockerless GCP simulator (simulators/gcp):
# the same hashicorp/google provider, each API it calls pointed at the
# simulator's one port through the provider's *_custom_endpoint settings,
# and an access token (the simulator accepts any; a real one comes from
# `gcloud auth print-access-token` or ADC).

terraform {
  required_version = ">= 1.9"

  required_providers {
    google = {
      source  = "hashicorp/google"
      version = ">= 6.0"
    }
  }
}

locals {
  v1 = "${trimsuffix(var.endpoint, "/")}/v1/"
}

provider "google" {
  project      = var.project
  region       = var.region
  access_token = var.access_token

  artifact_registry_custom_endpoint = local.v1
  firestore_custom_endpoint         = local.v1
  iam_beta_custom_endpoint          = local.v1
  iam_custom_endpoint               = local.v1
  resource_manager_custom_endpoint  = local.v1
  service_usage_custom_endpoint     = local.v1
  storage_custom_endpoint           = "${trimsuffix(var.endpoint, "/")}/storage/v1/"
}

module "sockerless" {
  source = "../../modules/gcp"

  project            = var.project
  name               = var.name
  region             = var.region
  firestore_location = var.firestore_location
  backends           = var.backends
  labels             = var.labels

  # The simulator's project is the deployment's alone: destroy leaves
  # its APIs as it found them.
  disable_apis_on_destroy = true
}
