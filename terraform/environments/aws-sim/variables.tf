variable "endpoint" {
  description = "The simulator's URL (awssim --addr), e.g. http://127.0.0.1:4566."
  type        = string
  default     = "http://127.0.0.1:4566"
}

variable "region" {
  type    = string
  default = "us-east-1"
}

# awssim accepts test/test unless started with --credentials.
variable "access_key" {
  type    = string
  default = "test"
}

variable "secret_key" {
  type      = string
  default   = "test"
  sensitive = true
}

# The module's inputs, passed through unchanged.

variable "name" {
  type    = string
  default = "sockerless"
}

variable "backends" {
  type    = set(string)
  default = ["ecs", "lambda"]
}

variable "function_zips" {
  type = map(string)
}

variable "secret" {
  type      = string
  sensitive = true
}

variable "agent_url" {
  type    = string
  default = ""
}

# The simulator has no VPC, but Fargate's awsvpc mode needs a subnet:
# any id will do.
variable "subnets" {
  type    = list(string)
  default = ["subnet-0123456789abcdef0"]
}

variable "security_groups" {
  type    = list(string)
  default = []
}

variable "assign_public_ip" {
  type    = bool
  default = false
}

variable "log_retention_days" {
  type    = number
  default = 14
}

variable "tags" {
  type    = map(string)
  default = {}
}

# The simulator's --data directory, where its EFS keeps each file system
# (<data>/efs/<id>); set when the simulator runs on this machine, so that
# the control-plane functions (host processes of the simulator, which
# cannot mount) see the volumes' file system as a function mounting it
# would.
variable "simulator_data" {
  type    = string
  default = ""
}
