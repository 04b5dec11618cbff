variable "endpoint" {
  type        = string
  description = "The GCP simulator's URL, e.g. http://127.0.0.1:8086."
}

variable "access_token" {
  type        = string
  default     = "gcpsim"
  sensitive   = true
  description = "The bearer token the provider sends; the simulator's APIs accept any."
}

variable "project" {
  type    = string
  default = "sockerless-sim"
}

variable "name" {
  type    = string
  default = "sockerless"
}

variable "region" {
  type    = string
  default = "us-central1"
}

variable "firestore_location" {
  type    = string
  default = "nam5"
}

variable "backends" {
  type    = set(string)
  default = ["cloudrun", "gcf"]
}

variable "labels" {
  type    = map(string)
  default = {}
}
