variable "project" {
  type        = string
  description = "The project to deploy into."
}

variable "name" {
  type        = string
  default     = "sockerless"
  description = "Prefix of every name; also the Firestore database's ID."
  validation {
    # Service account IDs are at most 30 characters: <name>-workload.
    condition     = can(regex("^[a-z][a-z0-9-]{2,19}[a-z0-9]$", var.name))
    error_message = "name must be 4 to 21 lowercase letters, digits and hyphens, starting with a letter."
  }
}

variable "region" {
  type        = string
  default     = "us-central1"
  description = "Where the Artifact Registry repositories and the bucket live."
}

variable "firestore_location" {
  type        = string
  default     = "nam5"
  description = "The Firestore database's location (a region or a multi-region such as nam5)."
}

variable "backends" {
  type        = set(string)
  default     = ["cloudrun", "gcf"]
  description = "The GCP backends whose state collections get a TTL policy (collection <name>-<backend>)."
  validation {
    condition     = alltrue([for b in var.backends : contains(["cloudrun", "gcf"], b)])
    error_message = "backends are cloudrun and gcf."
  }
}

variable "apis" {
  type = set(string)
  default = [
    "artifactregistry.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "run.googleapis.com",
    "storage.googleapis.com",
  ]
  description = "The APIs the deployment uses, enabled on the project."
}

variable "disable_apis_on_destroy" {
  type        = bool
  default     = false
  description = "Disable the APIs again on destroy: off by default, since other things in the project may use them."
}

variable "labels" {
  type        = map(string)
  default     = {}
  description = "Labels on every resource that takes them."
}
