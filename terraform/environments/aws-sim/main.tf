# The aws module applied to the Sockerless AWS simulator (simulators/aws):
# the same hashicorp/aws provider, every service endpoint pointed at the
# simulator's one port, and the simulator's test credentials.

terraform {
  required_version = ">= 1.9"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0"
    }
  }
}

provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key

  # No instance metadata, no real STS round trip to validate the keys, and
  # no region list to check against; the account id comes from the
  # simulator's STS GetCallerIdentity.
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  skip_region_validation      = true

  endpoints {
    dynamodb = var.endpoint
    ec2      = var.endpoint
    ecr      = var.endpoint
    ecs      = var.endpoint
    efs      = var.endpoint
    iam      = var.endpoint
    lambda   = var.endpoint
    logs     = var.endpoint
    sts      = var.endpoint
  }
}

module "sockerless" {
  source = "../../modules/aws"

  name               = var.name
  backends           = var.backends
  function_zips      = var.function_zips
  secret             = var.secret
  agent_url          = var.agent_url
  subnets            = var.subnets
  security_groups    = var.security_groups
  assign_public_ip   = var.assign_public_ip
  log_retention_days = var.log_retention_days
  tags               = var.tags

  # Named volumes on the simulator's EFS, a mount target in each subnet
  # (the simulator's EC2 knows every well-formed subnet id). Without
  # vpc_id no security group is made: the simulator has no VPC.
  volumes = true
  function_environment = var.simulator_data == "" ? {} : {
    SOCKERLESS_EFS_MOUNTED = "${var.simulator_data}/efs/${module.sockerless.file_system_id}"
  }

  # The simulator's ECR serves images at its own host:port.
  registry_hosts = [regex("^[a-z]+://([^/]+)", var.endpoint)[0]]
}
