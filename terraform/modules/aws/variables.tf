variable "name" {
  description = "Prefix of every resource name (table, functions, roles, repositories, log groups, cluster)."
  type        = string
  default     = "sockerless"

  validation {
    # Lambda function and IAM role names allow this set; "-w-" suffixes
    # and backend names must still fit in 64 characters.
    condition     = can(regex("^[a-zA-Z0-9-_]{1,40}$", var.name))
    error_message = "name must be 1-40 characters of letters, digits, '-' or '_'."
  }
}

variable "backends" {
  description = "Which control-plane functions to deploy: \"ecs\" (containers are Fargate tasks) and/or \"lambda\" (containers are Lambda functions)."
  type        = set(string)
  default     = ["ecs", "lambda"]

  validation {
    condition     = length(var.backends) > 0 && alltrue([for b in var.backends : contains(["ecs", "lambda"], b)])
    error_message = "backends must be a non-empty subset of [\"ecs\", \"lambda\"]."
  }
}

variable "function_zips" {
  description = "Backend → path of its Lambda deployment zip (a `bootstrap` for provided.al2023), built by `go run ./functions/cmd/lambdazip`."
  type        = map(string)

  validation {
    condition     = alltrue([for b in var.backends : contains(keys(var.function_zips), b)])
    error_message = "function_zips needs a zip for every backend in backends."
  }
}

variable "secret" {
  description = "Hex-encoded key the functions sign per-container agent tokens with."
  type        = string
  sensitive   = true

  validation {
    condition     = can(regex("^([0-9a-fA-F]{2}){16,}$", var.secret))
    error_message = "secret must be at least 16 bytes, hex-encoded."
  }
}

variable "agent_url" {
  description = "The edge's agent endpoint (wss://...) that workloads dial home to; empty when the edge tells each call instead."
  type        = string
  default     = ""
}

variable "subnets" {
  description = "Subnet ids for Fargate tasks (awsvpc network mode)."
  type        = list(string)
  default     = []
}

variable "security_groups" {
  description = "Security group ids for Fargate tasks."
  type        = list(string)
  default     = []
}

variable "assign_public_ip" {
  description = "Whether Fargate tasks get a public IP (needed in public subnets without a NAT gateway to pull images and reach the edge)."
  type        = bool
  default     = false
}

variable "log_retention_days" {
  description = "Retention of the functions' and the workloads' log groups, in days."
  type        = number
  default     = 14
}

variable "registry_hosts" {
  description = "Registry hosts besides ECR's own (*.dkr.ecr.*.amazonaws.com) that serve this account's ECR and take ECR tokens; only a simulator needs any."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags applied to every resource that supports them."
  type        = map(string)
  default     = {}
}

variable "volumes" {
  description = "Whether Docker named volumes are kept on an EFS file system the module creates (with a mount target in each of subnets)."
  type        = bool
  default     = true
}

variable "vpc_id" {
  description = "VPC of subnets; when set, the module creates the security group that lets the workloads reach the volumes' file system over NFS."
  type        = string
  default     = ""
}

variable "efs_security_groups" {
  description = "Security groups of the mount targets besides the one the module creates (when vpc_id is empty, the ones that admit NFS from the workloads)."
  type        = list(string)
  default     = []
}

variable "function_environment" {
  description = "More environment variables for the control-plane functions, over the module's own (e.g. SOCKERLESS_EFS_MOUNTED where the functions see the volumes' file system)."
  type        = map(string)
  default     = {}
}
